// SPDX-License-Identifier: GPL-2.0
/*
 * The reliability tools' reader through the kfunc of copy_from_user_pid.ko:
 * one bpf_copy_from_user_pid() call per BPF_PROG_RUN, as remote_read.c makes
 * one helper call. An object of its own: libbpf resolves the kfunc from the
 * module's BTF, which is there only while the module is loaded. The kfunc's
 * 0 stays 0 here; reader.cpp puts it in the helper's terms.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"
#include "remote_read.h"

char _license[] SEC("license") = "GPL";

/* Global, not on the stack: 6.1 checks a kfunc's memory as read as well. */
char bufs[RR_SLOTS][RR_SLOT_SIZE];

SEC("syscall")
int remote_read(struct rr_args *args)
{
	__u32 slot = args->slot;
	__u32 size = args->size;

	if (slot >= RR_SLOTS || size > RR_SLOT_SIZE) {
		args->ret = -7; /* -E2BIG */
		return 0;
	}
	barrier_var(size);
	args->ret = bpf_copy_from_user_pid(bufs[slot], size, args->addr,
					   args->pid, args->flags);
	return 0;
}
