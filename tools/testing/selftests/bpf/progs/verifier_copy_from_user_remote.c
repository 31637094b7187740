// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

char _license[] SEC("license") = "GPL";

void bpf_rcu_read_lock(void) __weak __ksym;
void bpf_rcu_read_unlock(void) __weak __ksym;

const char rodata_buf[8] = {};
__u32 size_in;

SEC("fentry/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: non-sleepable program")
__failure __msg("helper call might sleep in a non-sleepable prog")
int BPF_PROG(non_sleepable)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: sleepable program")
__success
int BPF_PROG(sleepable)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: unbounded size")
__failure __msg("R2 unbounded memory access")
int unbounded_size(void *ctx)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, size_in, NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: bounded variable size")
__success
int bounded_size(void *ctx)
{
	__u32 size = size_in;
	char dst[8];

	if (size > sizeof(dst))
		return 0;
	barrier_var(size);
	bpf_copy_from_user_remote(dst, size, NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: read-only destination")
__failure __msg("write into map forbidden")
int rdonly_dst(void *ctx)
{
	bpf_copy_from_user_remote((void *)rodata_buf, sizeof(rodata_buf),
				  NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: size larger than dst")
__failure __msg("invalid indirect access to stack R1 off=-8 size=16")
int size_too_large(void *ctx)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, 16, NULL, 1);
	return 0;
}

/* The helper takes the target mm's mmap_lock: it must not be called where a
 * task's mmap_lock is held already, directly or from a global function.
 */
SEC("iter.s/task_vma")
__description("copy_from_user_remote: in a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	char dst[8];

	if (!vma)
		return 0;
	bpf_copy_from_user_remote(dst, sizeof(dst), (void *)vma->vm_start, 1);
	return 0;
}

static long read_vma(struct task_struct *task, struct vm_area_struct *vma,
		     void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), (void *)vma->vm_start, 1);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: in a bpf_find_vma callback")
__failure __msg("takes mmap_lock, which is held here")
int BPF_PROG(in_find_vma_callback)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, read_vma, NULL, 0);
	return 0;
}

static long read_in_loop_in_vma(__u64 i, void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 1;
}

static long loop_in_vma(struct task_struct *task, struct vm_area_struct *vma,
			void *data)
{
	bpf_loop(1, read_in_loop_in_vma, NULL, 0);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: bpf_loop callback in a bpf_find_vma callback")
__failure __msg("takes mmap_lock, which is held here")
int BPF_PROG(loop_in_find_vma_callback)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, loop_in_vma, NULL, 0);
	return 0;
}

static __noinline int static_read(__u64 addr)
{
	char dst[8];

	return bpf_copy_from_user_remote(dst, sizeof(dst), (void *)addr, 1);
}

static long read_vma_static(struct task_struct *task,
			    struct vm_area_struct *vma, void *data)
{
	static_read(vma->vm_start);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: static function in a bpf_find_vma callback")
__failure __msg("takes mmap_lock, which is held here")
int BPF_PROG(static_in_find_vma_callback)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, read_vma_static, NULL, 0);
	return 0;
}

/* A global function is verified on its own, without its caller's frames. */
__noinline int global_read(__u64 addr)
{
	char dst[8];

	return bpf_copy_from_user_remote(dst, sizeof(dst), (void *)addr, 1);
}

/* And a global function that reaches the helper only through another. */
__noinline int global_read_indirect(__u64 addr)
{
	return global_read(addr);
}

static long read_vma_global(struct task_struct *task,
			    struct vm_area_struct *vma, void *data)
{
	global_read_indirect(vma->vm_start);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: global function in a bpf_find_vma callback")
__failure __msg("('global_read_indirect') takes mmap_lock, which is held here")
int BPF_PROG(global_in_find_vma_callback)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, read_vma_global, NULL, 0);
	return 0;
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: global function in a task_vma iterator")
__failure __msg("('global_read') takes mmap_lock, which is held here")
int global_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;

	if (!vma)
		return 0;
	global_read(vma->vm_start);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: global function in a sleepable program")
__success
int BPF_PROG(global_in_sleepable)
{
	global_read_indirect(0);
	return 0;
}

struct wq_elem {
	struct bpf_wq w;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct wq_elem);
} wq_map SEC(".maps");

static int read_in_wq(void *map, int *key, void *value)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

/* A bpf_wq callback runs later, in a worker, without the iterator's lock. */
SEC("iter.s/task_vma")
__description("copy_from_user_remote: bpf_wq callback set up in a task_vma iterator")
__success
int wq_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct wq_elem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&wq_map, &key);
	if (!e || bpf_wq_init(&e->w, &wq_map, 0))
		return 0;
	bpf_wq_set_callback(&e->w, read_in_wq, 0);
	return 0;
}

/* The open-coded task_vma iterator hands out a snapshot of each VMA and
 * holds no mmap_lock while the program runs.
 */
SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: in an open-coded task_vma iterator")
__success
int BPF_PROG(in_open_coded_task_vma)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;
	char dst[8];

	bpf_for_each(task_vma, vma, task, 0) {
		bpf_copy_from_user_remote(dst, sizeof(dst),
					  (void *)vma->vm_start, 1);
		break;
	}
	return 0;
}

static long read_in_loop(__u64 i, void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 1;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: in a bpf_loop callback")
__success
int BPF_PROG(in_loop_callback)
{
	bpf_loop(1, read_in_loop, NULL, 0);
	return 0;
}

/* Every way code runs inside the task_vma iterator's locked region. */
static __noinline int static_read_iter(__u64 addr)
{
	char dst[8];

	return bpf_copy_from_user_remote(dst, sizeof(dst), (void *)addr, 1);
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: static function in a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int static_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;

	if (!vma)
		return 0;
	static_read_iter(vma->vm_start);
	return 0;
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: bpf_loop callback in a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int loop_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	bpf_loop(1, read_in_loop_in_vma, NULL, 0);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __u64);
} elem_map SEC(".maps");

static long read_elem(struct bpf_map *map, int *key, __u64 *val, void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: bpf_for_each_map_elem callback in a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int map_elem_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	bpf_for_each_map_elem(&elem_map, read_elem, NULL, 0);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} user_rb SEC(".maps");

static long read_sample(struct bpf_dynptr *dynptr, void *data)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: bpf_user_ringbuf_drain callback in a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
int ringbuf_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	bpf_user_ringbuf_drain(&user_rb, read_sample, NULL, 0);
	return 0;
}

static long find_vma_in_loop(__u64 i, void *data)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, read_vma, NULL, 0);
	return 1;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: bpf_find_vma callback in a bpf_loop callback")
__failure __msg("takes mmap_lock, which is held here")
int BPF_PROG(find_vma_in_loop_callback)
{
	bpf_loop(1, find_vma_in_loop, NULL, 0);
	return 0;
}

/* A global function that reaches the helper only through a callback. */
__noinline int global_loop_read(__u64 addr)
{
	return bpf_loop(1, read_in_loop_in_vma, NULL, 0) + (addr != 0);
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: global function's bpf_loop callback in a task_vma iterator")
__failure __msg("('global_loop_read') takes mmap_lock, which is held here")
int global_loop_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	global_loop_read(0);
	return 0;
}

static long read_vma_global_loop(struct task_struct *task,
				 struct vm_area_struct *vma, void *data)
{
	global_loop_read(vma->vm_start);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: global function's bpf_loop callback in a find_vma callback")
__failure __msg("('global_loop_read') takes mmap_lock, which is held here")
int BPF_PROG(global_loop_in_find_vma_callback)
{
	bpf_find_vma(bpf_get_current_task_btf(), 0, read_vma_global_loop, NULL, 0);
	return 0;
}

/* The rule does not grow: what holds no mmap_lock still loads. */
__noinline int global_no_read(__u64 addr)
{
	return addr != 0;
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: global function without the helper in a task_vma iterator")
__success
int global_no_read_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;

	if (!vma)
		return 0;
	global_no_read(vma->vm_start);
	return 0;
}

SEC("iter.s/task")
__description("copy_from_user_remote: in a task iterator")
__success
int in_task_iter(struct bpf_iter__task *ctx)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

/* bpf_throw() runs the exception callback before the iterator's program
 * returns, with the lock still held.
 */
__noinline int exc_cb_read(__u64 cookie)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: exception callback of a task_vma iterator")
__failure __msg("takes mmap_lock, which is held here")
__exception_cb(exc_cb_read)
int exc_cb_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	if (!ctx->vma)
		bpf_throw(0);
	return 0;
}

__noinline int exc_cb_global(__u64 cookie)
{
	return global_read(cookie);
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: global function in a task_vma iterator's exception callback")
__failure __msg("('global_read') takes mmap_lock, which is held here")
__exception_cb(exc_cb_global)
int exc_cb_global_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	if (!ctx->vma)
		bpf_throw(0);
	return 0;
}

__noinline int exc_cb_static(__u64 cookie)
{
	return static_read(cookie);
}

SEC("iter.s/task_vma")
__description("copy_from_user_remote: static function in a task_vma iterator's exception callback")
__failure __msg("takes mmap_lock, which is held here")
__exception_cb(exc_cb_static)
int exc_cb_static_in_task_vma_iter(struct bpf_iter__task_vma *ctx)
{
	if (!ctx->vma)
		bpf_throw(0);
	return 0;
}

SEC("iter.s/task")
__description("copy_from_user_remote: exception callback of a task iterator")
__success
__exception_cb(exc_cb_read)
int exc_cb_in_task_iter(struct bpf_iter__task *ctx)
{
	if (!ctx->task)
		bpf_throw(0);
	return 0;
}

/* A bpf_timer callback runs in softirq, whatever the program is. */
struct timer_elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct timer_elem);
} timer_map SEC(".maps");

static int read_in_timer(void *map, int *key, struct timer_elem *e)
{
	char dst[8];

	bpf_copy_from_user_remote(dst, sizeof(dst), NULL, 1);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: bpf_timer callback of a sleepable program")
__failure __msg("helper call might sleep in a non-sleepable prog")
int timer_in_syscall(void *ctx)
{
	struct timer_elem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&timer_map, &key);
	if (!e || bpf_timer_init(&e->t, &timer_map, 1))
		return 0;
	bpf_timer_set_callback(&e->t, read_in_timer);
	return 0;
}

/* A global function is verified as sleepable; where it is called decides. */
static int global_in_timer(void *map, int *key, struct timer_elem *e)
{
	global_read(0);
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: global function in a bpf_timer callback")
__failure __msg("global function that may sleep called in non-sleepable context")
int timer_global_in_syscall(void *ctx)
{
	struct timer_elem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&timer_map, &key);
	if (!e || bpf_timer_init(&e->t, &timer_map, 1))
		return 0;
	bpf_timer_set_callback(&e->t, global_in_timer);
	return 0;
}

SEC("fentry.s/" SYS_PREFIX "sys_getpgid")
__description("copy_from_user_remote: global function in a bpf_rcu_read_lock region")
__failure __msg("global function that may sleep called in non-sleepable context")
int BPF_PROG(global_in_rcu_read_lock)
{
	bpf_rcu_read_lock();
	global_read(0);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("copy_from_user_remote: bpf_wq callback of a syscall program")
__success
int wq_in_syscall(void *ctx)
{
	struct wq_elem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&wq_map, &key);
	if (!e || bpf_wq_init(&e->w, &wq_map, 0))
		return 0;
	bpf_wq_set_callback(&e->w, read_in_wq, 0);
	return 0;
}
