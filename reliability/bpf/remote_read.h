/* SPDX-License-Identifier: GPL-2.0 */
/* One bpf_copy_from_user_remote (remote_read.c) or bpf_copy_from_user_pid
 * (remote_read_kfunc.c) call per BPF_PROG_RUN, into one of RR_SLOTS
 * buffers, so that several threads can call at once.
 */
#ifndef REMOTE_READ_H
#define REMOTE_READ_H

#define RR_SLOTS 16
#define RR_SLOT_SIZE 16384

struct rr_args {
	__s64 ret; /* out: what the helper or the kfunc returned */
	__u64 addr; /* in */
	__u32 size; /* in: at most RR_SLOT_SIZE */
	__s32 pid; /* in */
	__u32 slot; /* in: below RR_SLOTS; the buffer the call writes */
	__u32 pad;
	__u64 flags; /* in: the kfunc's flags; the helper has none */
};

#endif /* REMOTE_READ_H */
