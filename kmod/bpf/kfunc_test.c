// SPDX-License-Identifier: GPL-2.0
// Syscall programs that call bpf_copy_from_user_pid(), for kfunc-test: one
// call per BPF_PROG_RUN into a buffer with guard bytes, and n calls in a
// bpf_loop for timings and races.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"
#include "kfunc_test_args.h"

char _license[] SEC("license") = "GPL";

/* Global, not on the stack: 6.1 checks a kfunc's memory as read as well. */
char buf[KT_BUF_MAX + KT_GUARD];

SEC("syscall")
int copy(struct kt_args *args)
{
	__u32 size = args->size;

	if (size > KT_BUF_MAX) {
		args->ret = -7; /* -E2BIG */
		return 0;
	}
	barrier_var(size);
	args->ret = bpf_copy_from_user_pid(buf, size, args->addr, args->pid,
					   args->flags);
	return 0;
}

static int repeat_one(__u32 i, struct kt_repeat_args *args)
{
	__u32 size = args->size;
	int err;

	if (size > KT_BUF_MAX)
		return 1;
	barrier_var(size);
	err = bpf_copy_from_user_pid(buf, size, args->addr, args->pid,
				     args->flags);
	if (!err) {
		args->ok++;
	} else if (err == -11) { /* -EAGAIN */
		args->eagain++;
	} else {
		args->other++;
		args->last_other = err;
	}
	return 0;
}

SEC("syscall")
int repeat(struct kt_repeat_args *args)
{
	struct kt_repeat_args a = *args;

	a.ok = 0;
	a.eagain = 0;
	a.other = 0;
	a.last_other = 0;
	bpf_loop(a.n, repeat_one, &a, 0);
	args->ok = a.ok;
	args->eagain = a.eagain;
	args->other = a.other;
	args->last_other = a.last_other;
	return 0;
}
