// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

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
