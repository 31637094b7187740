// SPDX-License-Identifier: GPL-2.0
// A sleepable syscall program calls the sleepable kfunc from a
// bpf_for_each_map_elem() callback over a hash map, which runs under
// rcu_read_lock(): the verifiers of 6.1 and 6.12 allow it, so the kfunc
// must refuse at run time.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} one SEC(".maps");

__u64 addr;
__s32 pid;
int ret = 1;
__u32 calls;
char out[64];

static long each(struct bpf_map *map, int *key, int *value, void *ctx)
{
	ret = bpf_copy_from_user_pid(out, sizeof(out), addr, pid, 0);
	calls++;
	return 0;
}

SEC("syscall")
int walk(void *ctx)
{
	int key = 0, value = 0;

	if (bpf_map_update_elem(&one, &key, &value, BPF_ANY))
		return 1;
	bpf_for_each_map_elem(&one, each, NULL, 0);
	return 0;
}
