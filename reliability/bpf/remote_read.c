// SPDX-License-Identifier: GPL-2.0
/* The reliability tools' reader: one helper call per BPF_PROG_RUN. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "remote_read.h"

char _license[] SEC("license") = "GPL";

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
	args->ret = bpf_copy_from_user_remote(
		bufs[slot], size, (const void *)args->addr, args->pid);
	return 0;
}
