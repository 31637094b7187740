// SPDX-License-Identifier: GPL-2.0
// A sleepable syscall program arms a bpf_timer whose callback, which runs in
// softirq context, calls the sleepable kfunc: 6.1's verifier allows it, so
// the kfunc must refuse at run time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"

#define CLOCK_MONOTONIC 1

char _license[] SEC("license") = "GPL";

struct elem {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

__u64 addr;
__s32 pid;
int ret = 1;
__u32 done;
char out[64];

static int timer_cb(void *map, int *key, struct elem *e)
{
	ret = bpf_copy_from_user_pid(out, sizeof(out), addr, pid, 0);
	done = 1;
	return 0;
}

SEC("syscall")
int arm(void *ctx)
{
	struct elem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return 1;
	if (bpf_timer_init(&e->timer, &timers, CLOCK_MONOTONIC) ||
	    bpf_timer_set_callback(&e->timer, timer_cb) ||
	    bpf_timer_start(&e->timer, 0, 0))
		return 2;
	return 0;
}
