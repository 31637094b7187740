/* SPDX-License-Identifier: GPL-2.0 */
/* The contexts of kfunc_test's programs, shared by the BPF and C++ sides. */
#ifndef KFUNC_TEST_ARGS_H
#define KFUNC_TEST_ARGS_H

/* The read buffer: 80 pages, five batches of 16, then guard bytes. */
#define KT_BUF_MAX (80 * 4096)
#define KT_GUARD 64
#define KT_GUARD_BYTE 0xa5

/* One call of bpf_copy_from_user_pid(), for the program "copy". */
struct kt_args {
	__u64 addr;
	__u64 flags;
	__s32 pid;
	__u32 size;
	__s32 ret;
	__u32 pad;
};

/*
 * n calls with the same arguments, for the program "repeat": how many
 * returned 0, how many -EAGAIN, how many anything else, and the last such.
 */
struct kt_repeat_args {
	__u64 addr;
	__u64 flags;
	__s32 pid;
	__u32 size;
	__u32 n;
	__u32 ok;
	__u32 eagain;
	__u32 other;
	__s32 last_other;
	__u32 pad;
};

#endif
