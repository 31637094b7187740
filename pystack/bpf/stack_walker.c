// SPDX-License-Identifier: GPL-2.0
/* pystack's BPF walker: one BPF_PROG_RUN of walk_stacks() takes one sample
 * of a CPython 3.11 process (the walk is in stack_walk.h), reading it with
 * bpf_copy_from_user_remote(). The offsets come from user space (struct
 * py_layout, read from the interpreter's DWARF).
 *
 * Built with WALK_WITH_TASK (stack_walker_task.c), the same walk reads with
 * what a program has without the new helper: one bpf_task_from_pid() per
 * sample and bpf_copy_from_user_task() per read. That one loads on any
 * kernel since 6.1, so the walk can also be timed on the host's kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "pystack_layout.h"

#define ESRCH 3
#define EFAULT 14

char _license[] SEC("license") = "GPL";

const volatile struct py_layout layout;
const volatile __s32 target_pid;

struct py_sample sample;
/* where each struct prefix lands before its fields are picked out */
char scratch[PY_READ_MAX];

#ifdef WALK_WITH_TASK
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

typedef struct task_struct *walk_reader_t;

static __always_inline int reader_ok(walk_reader_t task)
{
	return task != NULL;
}

/* 0, or -errno (the helper returns 0 or -errno). */
static __always_inline long read_remote(void *dst, __u32 size, __u64 addr, walk_reader_t task)
{
	return bpf_copy_from_user_task(dst, size, (const void *)addr, task, 0);
}
#else
typedef __s32 walk_reader_t;	/* the pid */

static __always_inline int reader_ok(walk_reader_t pid)
{
	return 1;
}

/* 0, or -errno (the helper returns size on success). */
static __always_inline long read_remote(void *dst, __u32 size, __u64 addr, walk_reader_t pid)
{
	long ret = bpf_copy_from_user_remote(dst, size, (const void *)addr, pid);

	return ret < 0 ? ret : 0;
}
#endif

static __always_inline __u64 field64(__u32 off)
{
	if (off > PY_READ_MAX - sizeof(__u64))
		return 0;
	return *(__u64 *)(scratch + off);
}

static __always_inline __u32 field32(__u32 off)
{
	if (off > PY_READ_MAX - sizeof(__u32))
		return 0;
	return *(__u32 *)(scratch + off);
}

#include "stack_walk.h"

SEC("syscall")
int walk_stacks(void *ctx)
{
#ifdef WALK_WITH_TASK
	struct task_struct *task = bpf_task_from_pid(target_pid);

	if (!task) {
		walk_start(-ESRCH);
		return 0;
	}
	walk_interpreter(task);
	bpf_task_release(task);
#else
	walk_interpreter(target_pid);
#endif
	return 0;
}
