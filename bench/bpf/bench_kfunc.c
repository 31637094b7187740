// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's kfunc path, "kfunc": bpf_copy_from_user_pid(buf, size,
 * addr, pid, 0) per read, the kfunc of kmod/copy_from_user_pid.ko; the same
 * walk as the helper's, so that their figures compare. libbpf finds the
 * kfunc in the module's BTF: without the module this object does not load
 * and the path is skipped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"
#include "bench_walk.h"

static long step_kfunc(__u32 i, struct walk *w)
{
	__u32 size = w->args->size;

	if (size > sizeof(buf))
		return 1;
	barrier_var(size);
	/* 0 on success where the helper returns the size: advance() takes both. */
	return advance(
		w, bpf_copy_from_user_pid(buf, size, w->addr, w->args->pid, 0),
		i);
}

SEC("syscall")
int bench_kfunc(struct bench_args *args)
{
	struct walk w = { .args = args, .addr = args->addr };

	return walk(args, &w, step_kfunc);
}
