// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

char _license[] SEC("license") = "GPL";

const char rodata_buf[8] = {};
__u32 size_in;

SEC("fentry/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: non-sleepable program")
__failure __msg("helper call might sleep in a non-sleepable prog")
int BPF_PROG(non_sleepable)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: sleepable program")
__success
int BPF_PROG(sleepable)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: unbounded size")
__failure __msg("R2 unbounded memory access")
int unbounded_size(void *ctx)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, size_in, NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: bounded variable size")
__success
int bounded_size(void *ctx)
{
	__u32 size = size_in;
	char dst[8];

	if (size > sizeof(dst))
		return 0;
	barrier_var(size);
	bpf_copy_from_user_remote(dst, size, NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: read-only destination")
__failure __msg("write into map forbidden")
int rdonly_dst(void *ctx)
{
	bpf_copy_from_user_remote((void *)rodata_buf, sizeof(rodata_buf),
				  NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: size larger than dst")
__failure __msg("invalid indirect access to stack R1 off=-8 size=16")
int size_too_large(void *ctx)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, 16, NULL, 1);
	return 0;
}

/* The helper takes the target mm's mmap_lock: it must not be called where a
 * task's mmap_lock is held already.
 */
SEC("iter.s/task_vma")
__description("copy_from_user_remote: in a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	char dst[8];

	if (!vma)
		return 0;
	bpf_copy_from_user_remote(dst, sizeof(dst), (void *)vma->vm_start, 1);
	return 0;
}

static long read_vma(struct task_struct *task, struct vm_area_struct *vma,
		     void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), (void *)vma->vm_start, 1);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: in a bpf_find_vma callback")
__failure __msg("takes mmap_lock, which is held here")
int BPF_PROG(in_find_vma_callback)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, read_vma, NULL, 0);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: in an open-coded task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int BPF_PROG(in_open_coded_task_vma)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;
	char dst[8];

	bpf_for_each(task_vma, vma, task, 0) {
		bpf_copy_from_user_remote(dst, sizeof(dst),
					  (void *)vma->vm_start, 1);
		break;
	}
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: after a task_vma iterator is destroyed")
__success
int BPF_PROG(after_task_vma_iter)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;
	__u64 start = 0;
	char dst[8];

	bpf_for_each(task_vma, vma, task, 0) {
		start = vma->vm_start;
		break;
	}
	bpf_copy_from_user_remote(dst, sizeof(dst), (void *)start, 1);
	return 0;
}

static long read_in_loop(__u64 i, void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 1;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: in a bpf_loop callback")
__success
int BPF_PROG(in_loop_callback)
{
	bpf_loop(1, read_in_loop, NULL, 0);
	return 0;
}
