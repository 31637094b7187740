// SPDX-License-Identifier: GPL-2.0
// One read of another process's memory per BPF_PROG_RUN, for cfur-peek.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "peek_args.h"

char _license[] SEC("license") = "GPL";

char data[PEEK_CHUNK];

SEC("syscall")
int peek(struct peek_args *args)
{
	__u32 size = args->size;

	if (size > sizeof(data)) {
		args->ret = -7; /* -E2BIG */
		return 0;
	}
	barrier_var(size);
	args->ret = bpf_copy_from_user_remote(
		data, size, (const void *)args->addr, args->pid);
	return 0;
}
