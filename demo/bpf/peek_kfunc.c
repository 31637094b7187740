// SPDX-License-Identifier: GPL-2.0
/*
 * One read of another process's memory per BPF_PROG_RUN, for cfur-peek
 * --via kfunc: bpf_copy_from_user_pid(), the kfunc of
 * kmod/copy_from_user_pid.ko, for kernels without the helper (Debian 12's
 * 6.1). An object of its own: libbpf resolves the kfunc in the module's BTF,
 * so without the module this one fails to load and peek.c still loads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"
#include "peek_args.h"

char _license[] SEC("license") = "GPL";

/* Global, not on the stack: 6.1 checks a kfunc's memory as read as well. */
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
	/* 0 or -errno: not the size, as the helper returns */
	args->ret =
		bpf_copy_from_user_pid(data, size, args->addr, args->pid, 0);
	return 0;
}
