/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_copy_from_user_pid(), the kfunc of the copy_from_user_pid module: its
 * flags, for the module and for the BPF programs that call it, and its
 * declaration for those programs (include vmlinux.h and bpf_helpers.h
 * first).
 */
#ifndef _COPY_FROM_USER_PID_H
#define _COPY_FROM_USER_PID_H

enum {
	/*
	 * Never wait for the target: try its mmap_lock and exec_update_lock
	 * instead of waiting for them, and read only the pages it has mapped
	 * now (no fault: no I/O, no swap-in, no userfaultfd handler);
	 * anything else is -EAGAIN.
	 */
	BPF_F_COPY_NOWAIT = (1ULL << 0),
	/* Every flag the module knows; any other bit is -EINVAL. */
	BPF_F_COPY_ALL = BPF_F_COPY_NOWAIT,
};

#ifdef __bpf__
/*
 * Copies dst__sz bytes at user_addr in the process with pid in the caller's
 * pid namespace to dst. 0, or -ESRCH, -EFAULT, -EAGAIN, -EPERM, -EINVAL
 * with dst zeroed. Sleepable BPF_PROG_TYPE_SYSCALL programs only.
 */
int bpf_copy_from_user_pid(void *dst, __u32 dst__sz, __u64 user_addr, __s32 pid,
			   __u64 flags) __ksym;
#endif

#endif /* _COPY_FROM_USER_PID_H */
