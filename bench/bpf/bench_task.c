// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's paths through what a program uses today:
 *   task_each    bpf_task_from_pid + bpf_copy_from_user_task +
 *                bpf_task_release, per read
 *   task_once    one bpf_task_from_pid for the whole batch, then
 *                bpf_copy_from_user_task per read (its best case)
 * bpf_task_from_pid came in 6.2, and 6.1 offers bpf_copy_from_user_task to
 * no syscall program: there this object does not load and both paths are
 * skipped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "bench_walk.h"

struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

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
	ret = bpf_copy_from_user_task(buf, size, (const void *)w->addr, task,
				      0);
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
	return advance(w,
		       bpf_copy_from_user_task(buf, size, (const void *)w->addr,
					       task, 0),
		       i);
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
