/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The context of the peek programs (peek.c, the helper; peek_kfunc.c, the
 * kfunc), shared by the BPF and C++ sides. ret is what the function
 * returned: the helper the size on success, the kfunc 0; both -errno on
 * error.
 */
#ifndef CFUR_PEEK_ARGS_H
#define CFUR_PEEK_ARGS_H

#define PEEK_CHUNK 32768

struct peek_args {
	__s32 pid;
	__u32 size;
	__u64 addr;
	__s64 ret;
};

#endif
