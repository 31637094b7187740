/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The walk every one of the benchmark's BPF objects performs: args->reads
 * reads with bpf_loop, one BPF_PROG_RUN per batch, all at args->addr or
 * (chase) each at the address the previous read returned in its first 8
 * bytes. An object includes this once, after vmlinux.h and bpf_helpers.h,
 * and gives a step function that reads into buf and returns through
 * advance(). The objects are separate so that each loads, or is skipped,
 * on its own: the helper, the module's kfunc and the task kfuncs are each
 * missing from some kernel.
 */
#ifndef BENCH_WALK_H
#define BENCH_WALK_H

#include "bench_args.h"

char _license[] SEC("license") = "GPL";

/* Global, not on the stack: 6.1 checks a kfunc's memory as read as well. */
char buf[BENCH_BUF_SIZE];

struct walk {
	struct bench_args *args;
	struct task_struct *task; /* task_once only */
	__u64 addr;
	long err;
};

/* Advances the walk after a read; returns 1 to stop bpf_loop. */
static long advance(struct walk *w, long ret, __u32 i)
{
	if (ret < 0) {
		w->err = ret;
		return 1;
	}
	w->args->done = i + 1;
	w->args->last = w->addr;
	if (w->args->chase)
		w->addr = *(__u64 *)buf;
	return 0;
}

/*
 * Performs args->reads steps of the walk and leaves args->addr where the
 * next batch continues.
 */
static __always_inline int walk(struct bench_args *args, struct walk *w,
				void *step)
{
	args->done = 0;
	bpf_loop(args->reads, step, w, 0);
	args->error = w->err;
	args->addr = w->addr;
	return 0;
}

#endif /* BENCH_WALK_H */
