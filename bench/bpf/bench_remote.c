// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's helper path, "helper": bpf_copy_from_user_remote(buf,
 * size, addr, pid) per read. Only the patched kernel has the helper (id
 * 212); elsewhere this object does not load and the path is skipped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "bench_walk.h"

static long step_remote(__u32 i, struct walk *w)
{
	__u32 size = w->args->size;

	if (size > sizeof(buf))
		return 1;
	return advance(w,
		       bpf_copy_from_user_remote(
			       buf, size, (const void *)w->addr, w->args->pid),
		       i);
}

SEC("syscall")
int bench_remote(struct bench_args *args)
{
	struct walk w = { .args = args, .addr = args->addr };

	return walk(args, &w, step_remote);
}
