/* SPDX-License-Identifier: GPL-2.0 */
/* One bpf_copy_from_user_remote call per BPF_PROG_RUN, into one of
 * RR_SLOTS buffers, so that several threads can call at once.
 */
#ifndef REMOTE_READ_H
#define REMOTE_READ_H

#define RR_SLOTS 16
#define RR_SLOT_SIZE 16384

struct rr_args {
	__s64 ret;	/* out: the helper's return value */
	__u64 addr;	/* in */
	__u32 size;	/* in: at most RR_SLOT_SIZE */
	__s32 pid;	/* in */
	__u32 slot;	/* in: below RR_SLOTS; the buffer the helper writes */
	__u32 pad;
};

#endif /* REMOTE_READ_H */
