// SPDX-License-Identifier: GPL-2.0
/* pystack's walker: one BPF_PROG_RUN of walk_stacks() takes one sample of
 * a CPython 3.11 process, reading it with bpf_copy_from_user_remote():
 *
 *   _PyRuntime.interpreters.head -> PyInterpreterState.threads.head
 *   -> each PyThreadState (next) -> its _PyCFrame.current_frame
 *   -> each _PyInterpreterFrame (previous) -> its PyCodeObject
 *   -> co_name and co_filename (PyUnicode: header, then the characters)
 *
 * Six reads per frame. The offsets come from user space (struct py_layout,
 * read from the interpreter's DWARF); the walk in src/pvm_walker.cpp makes
 * the same reads, in the same order, with process_vm_readv(2).
 *
 * Built with WALK_WITH_TASK (stack_walker_task.c), the same walk reads with
 * what a program has without the new helper: one bpf_task_from_pid() per
 * sample and bpf_copy_from_user_task() per read. That one loads on any
 * kernel since 6.1, so the walk can also be timed on the host's kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "pystack_layout.h"

#define ESRCH 3
#define EFAULT 14

char _license[] SEC("license") = "GPL";

const volatile struct py_layout layout;
const volatile __s32 target_pid;

struct py_sample sample;
/* where each struct prefix lands before its fields are picked out */
char scratch[PY_READ_MAX];

#ifdef WALK_WITH_TASK
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
#define TASK_ARG , struct task_struct *task
#define TASK , task
#define TASK_FIELD struct task_struct *task;
#else
#define TASK_ARG
#define TASK
#define TASK_FIELD
#endif

struct frame_walk {
	TASK_FIELD
	__u64 frame;
	__u32 depth;
	__u32 truncated;
	long error;
};

struct thread_walk {
	TASK_FIELD
	__u64 tstate;
};

/* 0, or -errno (the helper returns size on success). */
static __always_inline long read_remote(void *dst, __u32 size, __u64 addr TASK_ARG)
{
	long ret;

	sample.reads++;
#ifdef WALK_WITH_TASK
	ret = bpf_copy_from_user_task(dst, size, (const void *)addr, task, 0);
#else
	ret = bpf_copy_from_user_remote(dst, size, (const void *)addr, target_pid);
#endif
	return ret < 0 ? ret : 0;
}

/* Reads the first `size` bytes of the struct at addr into scratch. */
static __always_inline long read_prefix(__u32 size, __u64 addr TASK_ARG)
{
	if (size > PY_READ_MAX)
		return -EFAULT;
	return read_remote(scratch, size, addr TASK);
}

static __always_inline __u64 field64(__u32 off)
{
	if (off > PY_READ_MAX - sizeof(__u64))
		return 0;
	return *(__u64 *)(scratch + off);
}

static __always_inline __u32 field32(__u32 off)
{
	if (off > PY_READ_MAX - sizeof(__u32))
		return 0;
	return *(__u32 *)(scratch + off);
}

static __always_inline __u32 state_bit(__u32 state, __u32 shift)
{
	return (state >> (shift & 31)) & 1;
}

/* Reads a compact str's characters (up to max bytes) into dst: two reads,
 * the header and then the characters. A str that is not compact is left
 * empty with kind 0; code objects' names and file names always are.
 */
static __always_inline long read_str(__u64 addr, char *dst, __u32 max, __u16 *len, __u8 *kind
				     TASK_ARG)
{
	__u64 length;
	__u32 state, k, n, off;
	long ret;

	*len = 0;
	*kind = 0;
	if (!addr)
		return 0;
	ret = read_prefix(layout.ascii_size, addr TASK);
	if (ret)
		return ret;
	length = field64(layout.str_length);
	state = field32(layout.str_state);
	if (!state_bit(state, layout.compact_shift))
		return 0;
	k = (state >> (layout.kind_shift & 31)) & 7;
	if (k != 1 && k != 2 && k != 4)
		return 0;
	off = state_bit(state, layout.ascii_shift) ? layout.ascii_size : layout.compact_size;
	if (length > max)
		length = max;
	n = length * k;
	if (n > max)
		n = max;
	ret = read_remote(dst, n, addr + off TASK);
	if (ret)
		return ret;
	*len = n;
	*kind = k;
	return 0;
}

static long frame_step(__u32 i, struct frame_walk *w)
{
	__u32 fi = sample.nframes;
	__u64 code, name, file;
	struct py_frame *f;
	long ret;
#ifdef WALK_WITH_TASK
	struct task_struct *task = w->task;

	if (!task)
		return 1;
#endif
	if (!w->frame)
		return 1;
	if (w->depth >= PY_MAX_DEPTH || fi >= PY_MAX_FRAMES) {
		w->truncated = 1;
		return 1;
	}
	ret = read_prefix(layout.frame_read, w->frame TASK);
	if (ret)
		goto fail;
	code = field64(layout.frame_code);
	w->frame = field64(layout.frame_previous);
	ret = read_prefix(layout.code_read, code TASK);
	if (ret)
		goto fail;
	name = field64(layout.code_name);
	file = field64(layout.code_filename);
	f = &sample.frames[fi];
	f->code = code;
	ret = read_str(name, f->name, PY_NAME_MAX, &f->name_len, &f->name_kind TASK);
	if (ret)
		goto fail;
	ret = read_str(file, f->file, PY_FILE_MAX, &f->file_len, &f->file_kind TASK);
	if (ret)
		goto fail;
	sample.nframes = fi + 1;
	w->depth++;
	return 0;
fail:
	w->error = ret;
	return 1;
}

static long thread_step(__u32 i, struct thread_walk *w)
{
	struct frame_walk fw = {};
	__u32 ti = sample.nthreads;
	struct py_thread *t;
	__u64 cframe;
	long ret;
#ifdef WALK_WITH_TASK
	struct task_struct *task = w->task;

	if (!task)
		return 1;
	fw.task = task;
#endif
	if (!w->tstate || ti >= PY_MAX_THREADS)
		return 1;
	t = &sample.threads[ti];
	t->first = sample.nframes;
	t->depth = 0;
	t->truncated = 0;
	t->native_tid = 0;
	sample.nthreads = ti + 1;
	ret = read_prefix(layout.tstate_read, w->tstate TASK);
	if (ret) {
		t->error = ret;
		return 1;
	}
	t->native_tid = field64(layout.tstate_native_tid);
	w->tstate = field64(layout.tstate_next);
	cframe = field64(layout.tstate_cframe);
	if (cframe) {
		ret = read_prefix(layout.cframe_read, cframe TASK);
		if (ret) {
			t->error = ret;
			return 0;
		}
		fw.frame = field64(layout.cframe_current_frame);
		bpf_loop(PY_MAX_DEPTH + 1, frame_step, &fw, 0);
	}
	t->depth = fw.depth;
	t->truncated = fw.truncated;
	t->error = fw.error;
	return 0;
}

SEC("syscall")
int walk_stacks(void *ctx)
{
	struct thread_walk w = {};
	__u64 interp;
	long ret;

	sample.nthreads = 0;
	sample.nframes = 0;
	sample.reads = 0;
	sample.error = 0;
#ifdef WALK_WITH_TASK
	struct task_struct *task = bpf_task_from_pid(target_pid);

	if (!task) {
		sample.error = -ESRCH;
		return 0;
	}
	w.task = task;
#endif
	ret = read_prefix(layout.runtime_read, layout.runtime TASK);
	if (ret)
		goto fail;
	interp = field64(layout.runtime_interp_head);
	if (!interp) {
		ret = -ESRCH;
		goto fail;
	}
	ret = read_prefix(layout.interp_read, interp TASK);
	if (ret)
		goto fail;
	w.tstate = field64(layout.interp_threads_head);
	bpf_loop(PY_MAX_THREADS, thread_step, &w, 0);
	ret = 0;
fail:
	if (ret)
		sample.error = ret;
#ifdef WALK_WITH_TASK
	bpf_task_release(task);
#endif
	return 0;
}
