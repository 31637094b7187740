// SPDX-License-Identifier: GPL-2.0
// Programs of types the kfunc is not registered for; each must be refused by
// the verifier. A task_vma iterator runs with the target's mmap_lock held:
// the case a syscall-only registration exists to keep out.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"

char _license[] SEC("license") = "GPL";

char out[64];

SEC("iter.s/task_vma")
int vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;

	if (!vma || !task)
		return 0;
	bpf_copy_from_user_pid(out, sizeof(out), vma->vm_start, task->tgid, 0);
	return 0;
}

SEC("perf_event")
int on_sample(void *ctx)
{
	bpf_copy_from_user_pid(out, sizeof(out), 0, 1, 0);
	return 0;
}
