// SPDX-License-Identifier: GPL-2.0
// A sleepable syscall program starts a bpf_wq whose callback, which runs in
// a kworker (a kernel thread with every capability, in the initial pid
// namespace), calls the sleepable kfunc: 6.12's verifier allows it, so the
// kfunc must refuse at run time. bpf_wq came in 6.10: built against the BTF
// of a kernel without it (HAVE_BPF_WQ unset, kmod/tests/Makefile), the
// program only says so.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "copy_from_user_pid.h"

char _license[] SEC("license") = "GPL";

__u64 addr;
__s32 pid;
int ret = 1;
__u32 done;
__u32 have_wq;
char out[64];

#ifdef HAVE_BPF_WQ
extern int bpf_wq_init(struct bpf_wq *wq, void *p__map,
		       unsigned int flags) __weak __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __weak __ksym;
extern int
bpf_wq_set_callback_impl(struct bpf_wq *wq,
			 int(callback_fn)(void *map, int *key, void *value),
			 unsigned int flags__k, void *aux__ign) __weak __ksym;

struct elem {
	struct bpf_wq work;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} works SEC(".maps");

static int wq_cb(void *map, int *key, void *value)
{
	ret = bpf_copy_from_user_pid(out, sizeof(out), addr, pid, 0);
	done = 1;
	return 0;
}

SEC("syscall")
int start(void *ctx)
{
	struct elem *e;
	int key = 0;

	have_wq = 1;
	e = bpf_map_lookup_elem(&works, &key);
	if (!e)
		return 1;
	if (bpf_wq_init(&e->work, &works, 0) ||
	    bpf_wq_set_callback_impl(&e->work, wq_cb, 0, NULL) ||
	    bpf_wq_start(&e->work, 0))
		return 2;
	return 0;
}
#else
SEC("syscall")
int start(void *ctx)
{
	return 0;
}
#endif
