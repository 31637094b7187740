// SPDX-License-Identifier: GPL-2.0
/* pystack's BPF walker: one BPF_PROG_RUN of walk_stacks() takes one sample
 * of every target process (the walk is in stack_walk.h), reading them with
 * bpf_copy_from_user_remote(). User space sizes the maps before loading
 * (--max-threads, --max-depth, --max-code), writes each target's pid and
 * layout into `targets`, and reads the sample from the mmap()ed maps and
 * the ring buffer: no system call but BPF_PROG_RUN per sample.
 *
 * Built with WALK_WITH_TASK (stack_walker_task.c), the same walk reads with
 * what a program has without the new helper: one bpf_task_from_pid() per
 * target and sample, and bpf_copy_from_user_task() per read. That one loads
 * on any kernel since 6.8 (bpf_task_from_pid(), __arg_trusted), so the
 * walk can be timed on the host's kernel.
 *
 * Built with WALK_WITH_KFUNC (stack_walker_kfunc.c), it reads with
 * bpf_copy_from_user_pid(), the kfunc of kmod/copy_from_user_pid.ko, with
 * BPF_F_COPY_NOWAIT: a target whose page or mmap_lock would make the
 * sample wait costs a retry (-EAGAIN), not a stalled sampler. That one
 * loads where the module is, down to Debian 12's 6.1, which has no
 * bpf_task_from_pid(): there the walk knows no scheduler state, checks
 * every thread as one that ran (WALK_UNKNOWN_RAN), and user space reads
 * the thread states --idle and --mode cpu need from /proc.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "pystack_layout.h"

#define ESRCH 3
#define EFAULT 14
#define EINVAL 22
#define ENOSPC 28

char _license[] SEC("license") = "GPL";

const volatile struct py_walk_config walk_cfg;

struct py_sample_hdr hdr;

#ifdef WALK_WITH_KFUNC
#define WALK_UNKNOWN_RAN
#include "copy_from_user_pid.h"
/* 6.2 added them: on 6.1, bpf_ksym_exists() is false and the call dead. */
struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
void bpf_task_release(struct task_struct *p) __ksym __weak;
#else
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct py_target);
	__uint(max_entries, 1);
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct py_thread);
	__uint(max_entries, 1);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct py_frame);
	__uint(max_entries, 1);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct py_code_key);
	__type(value, struct py_code_val);
	__uint(max_entries, 1);
} code_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} symbols SEC(".maps");

/* The walk's larger steps: global functions, each verified once. */
#define WALK_GLOBAL __attribute__((noinline))

#ifdef WALK_WITH_TASK
typedef struct task_struct *walk_reader_t;
/* a global function's task argument: a pointer it may pass to helpers
 * (6.8+; the task walker loads there)
 */
#define WALK_READER_ARG __arg_trusted

static __always_inline int reader_open(__s32 pid, walk_reader_t *task)
{
	*task = bpf_task_from_pid(pid);
	return *task ? 0 : -ESRCH;
}

static __always_inline void reader_close(walk_reader_t task)
{
	bpf_task_release(task);
}

/* 0, or -errno (the helper returns 0 or -errno). */
static __always_inline long read_remote(void *dst, __u32 size, __u64 addr,
					walk_reader_t task)
{
	return bpf_copy_from_user_task(dst, size, (const void *)addr, task, 0);
}
#else
typedef __s32 walk_reader_t; /* the pid */

static __always_inline int reader_open(__s32 pid, walk_reader_t *r)
{
	*r = pid;
	return 0;
}

static __always_inline void reader_close(walk_reader_t r)
{
}

#ifdef WALK_WITH_KFUNC
/* 0, or -errno; -EAGAIN where the helper would have waited. The size is
 * a u32 whose register may carry stale upper bits (the BPF calling
 * convention allows it); 6.1's kfunc argument check reads the register's
 * 64-bit bounds, so clear them where it can see it.
 */
static __always_inline long read_remote(void *dst, __u32 size, __u64 addr,
					walk_reader_t pid)
{
	__u64 n = size;

	asm volatile("%[n] <<= 32; %[n] >>= 32" : [n] "+r"(n));
	return bpf_copy_from_user_pid(dst, n, addr, pid, BPF_F_COPY_NOWAIT);
}
#else
/* 0, or -errno (the helper returns size on success). */
static __always_inline long read_remote(void *dst, __u32 size, __u64 addr,
					walk_reader_t pid)
{
	long ret =
		bpf_copy_from_user_remote(dst, size, (const void *)addr, pid);

	return ret < 0 ? ret : 0;
}
#endif /* WALK_WITH_KFUNC */
#endif

static __always_inline __u64 load64(const char *p)
{
	return *(const __u64 *)p;
}

static __always_inline __u32 load32(const char *p)
{
	return *(const __u32 *)p;
}

static __always_inline struct py_target *target_at(__u32 i)
{
	return bpf_map_lookup_elem(&targets, &i);
}

static __always_inline struct py_thread *thread_at(__u32 i)
{
	return bpf_map_lookup_elem(&threads, &i);
}

static __always_inline struct py_frame *frame_at(__u32 i)
{
	return bpf_map_lookup_elem(&frames, &i);
}

static __always_inline struct py_code_val *
code_lookup(const struct py_code_key *key)
{
	return bpf_map_lookup_elem(&code_cache, key);
}

static __always_inline void code_store(const struct py_code_key *key,
				       const struct py_code_val *val)
{
	bpf_map_update_elem(&code_cache, key, val, BPF_ANY);
}

static __always_inline long symbol_output(struct py_symbol *s)
{
	return bpf_ringbuf_output(&symbols, s, sizeof(*s), BPF_RB_NO_WAKEUP);
}

/* The thread's scheduler state, straight from its task_struct: 1; or
 * -ESRCH. bpf_task_from_pid() takes ids of the initial pid namespace, and
 * CPython records its thread's id in its own: in a container, tid names
 * another task, or none. A task not of process pid (the target, by the
 * id user space knows it by, in the initial namespace) is not the
 * thread's: nothing is known of the thread, not another's state.
 */
static __always_inline int task_sched(__u64 tid, __s32 pid, struct py_sched *s)
{
	struct task_struct *t;
	unsigned int state;

#ifdef WALK_WITH_KFUNC
	if (!bpf_ksym_exists(bpf_task_from_pid))
		return -ESRCH;
#endif
	if (!walk_cfg.sched_ids)
		return -ESRCH;
	t = bpf_task_from_pid(tid);
	if (!t)
		return -ESRCH;
	if (t->tgid != pid) {
		bpf_task_release(t);
		return -ESRCH;
	}
	s->switches = t->nvcsw + t->nivcsw;
	s->on_cpu = t->on_cpu;
	state = t->__state;
	s->state = state == 0 ? PY_STATE_RUNNABLE : PY_STATE_IDLE;
	bpf_probe_read_kernel(s->comm, sizeof(s->comm), t->comm);
	bpf_task_release(t);
	return 1;
}

#include "stack_walk.h"

SEC("syscall")
int walk_stacks(void *ctx)
{
	walk_sample();
	return 0;
}
