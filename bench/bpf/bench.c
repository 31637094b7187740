// SPDX-License-Identifier: GPL-2.0
/* The benchmark's in-kernel paths. Each is a syscall program that performs
 * args->reads reads with bpf_loop (one BPF_PROG_RUN per batch):
 *   remote       bpf_copy_from_user_remote(buf, size, addr, pid)
 *   task_each    bpf_task_from_pid + bpf_copy_from_user_task +
 *                bpf_task_release, per read (what a program does today)
 *   task_once    one bpf_task_from_pid for the whole batch, then
 *                bpf_copy_from_user_task per read (its best case)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "bench_args.h"

char _license[] SEC("license") = "GPL";

struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

char buf[BENCH_BUF_SIZE];

struct walk {
	struct bench_args *args;
	struct task_struct *task;	/* task_once only */
	__u64 addr;
	long err;
};

/* Advances the walk after a read; returns 1 to stop bpf_loop. */
static long advance(struct walk *w, long ret, __u32 i)
{
	if (ret < 0) {
		w->err = ret;
		return 1;
	}
	w->args->done = i + 1;
	w->args->last = w->addr;
	if (w->args->chase)
		w->addr = *(__u64 *)buf;
	return 0;
}

static long step_remote(__u32 i, struct walk *w)
{
	__u32 size = w->args->size;

	if (size > sizeof(buf))
		return 1;
	return advance(w, bpf_copy_from_user_remote(buf, size, (const void *)w->addr,
						    w->args->pid), i);
}

static long step_task_each(__u32 i, struct walk *w)
{
	struct task_struct *task;
	__u32 size = w->args->size;
	long ret;

	if (size > sizeof(buf))
		return 1;
	task = bpf_task_from_pid(w->args->pid);
	if (!task)
		return advance(w, -3 /* -ESRCH */, i);
	ret = bpf_copy_from_user_task(buf, size, (const void *)w->addr, task, 0);
	bpf_task_release(task);
	return advance(w, ret, i);
}

static long step_task_once(__u32 i, struct walk *w)
{
	__u32 size = w->args->size;
	struct task_struct *task;

	if (size > sizeof(buf))
		return 1;
	task = w->task;
	if (!task)
		return 1;
	return advance(w, bpf_copy_from_user_task(buf, size, (const void *)w->addr, task, 0),
		       i);
}

/* Performs args->reads steps of the walk and leaves args->addr where the
 * next batch continues.
 */
static __always_inline int walk(struct bench_args *args, struct walk *w, void *step)
{
	args->done = 0;
	bpf_loop(args->reads, step, w, 0);
	args->error = w->err;
	args->addr = w->addr;
	return 0;
}

SEC("syscall")
int bench_remote(struct bench_args *args)
{
	struct walk w = { .args = args, .addr = args->addr };

	return walk(args, &w, step_remote);
}

SEC("syscall")
int bench_task_each(struct bench_args *args)
{
	struct walk w = { .args = args, .addr = args->addr };

	return walk(args, &w, step_task_each);
}

SEC("syscall")
int bench_task_once(struct bench_args *args)
{
	struct walk w = { .args = args, .addr = args->addr };

	w.task = bpf_task_from_pid(args->pid);
	if (!w.task) {
		args->done = 0;
		args->error = -3; /* -ESRCH */
		return 0;
	}
	walk(args, &w, step_task_once);
	bpf_task_release(w.task);
	return 0;
}
