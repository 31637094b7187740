/* SPDX-License-Identifier: GPL-2.0 */
/* The walk of one pystack sample, written once for every walker: the BPF
 * programs (stack_walker.c) and the process_vm_readv walker
 * (src/pvm_walker.cpp) include it, so they make the same reads, in the
 * same order, by construction:
 *
 *   _PyRuntime.interpreters.head -> PyInterpreterState.threads.head
 *   -> each PyThreadState (next) -> its _PyCFrame.current_frame
 *   -> each _PyInterpreterFrame (previous) -> its PyCodeObject
 *   -> co_name and co_filename (PyUnicode: header, then the characters)
 *
 * Six reads per frame. The includer defines, before including:
 *   walk_reader_t          what a read needs besides the address (a pid, a
 *                          task), handed along the walk
 *   reader_ok(r)           0 if r cannot be read with
 *   read_remote(dst, size, addr, r)   0, or -errno; dst zeroed on error
 *   field64(off), field32(off)        a field of scratch, 0 if off is out
 *                          of it
 *   layout, sample, scratch (struct py_layout, struct py_sample,
 *                          char[PY_READ_MAX]), bpf_loop(), EFAULT, ESRCH
 */
#ifndef PYSTACK_STACK_WALK_H
#define PYSTACK_STACK_WALK_H

struct frame_walk {
	walk_reader_t reader;
	__u64 frame;
	__u32 depth;
	__u32 truncated;
	long error;
};

struct thread_walk {
	walk_reader_t reader;
	__u64 tstate;
};

static __always_inline long walk_read(void *dst, __u32 size, __u64 addr, walk_reader_t r)
{
	sample.reads++;
	return read_remote(dst, size, addr, r);
}

/* Reads the first `size` bytes of the struct at addr into scratch. */
static __always_inline long read_prefix(__u32 size, __u64 addr, walk_reader_t r)
{
	if (size > PY_READ_MAX)
		return -EFAULT;
	return walk_read(scratch, size, addr, r);
}

static __always_inline __u32 state_bit(__u32 state, __u32 shift)
{
	return (state >> (shift & 31)) & 1;
}

/* Reads a compact str's characters (up to max bytes) into dst: two reads,
 * the header and then the characters. A str that is not compact is left
 * empty with kind 0; code objects' names and file names always are.
 */
static __always_inline long read_str(__u64 addr, char *dst, __u32 max, __u16 *len, __u8 *kind,
				     walk_reader_t r)
{
	__u64 length;
	__u32 state, k, n, off;
	long ret;

	*len = 0;
	*kind = 0;
	if (!addr)
		return 0;
	ret = read_prefix(layout.ascii_size, addr, r);
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
	ret = walk_read(dst, n, addr + off, r);
	if (ret)
		return ret;
	*len = n;
	*kind = k;
	return 0;
}

/* One frame, as a bpf_loop() callback: 1 when the chain ends or fails. */
static long frame_step(__u32 i __attribute__((unused)), struct frame_walk *w)
{
	walk_reader_t r = w->reader;
	__u32 fi = sample.nframes;
	__u64 code, name, file;
	struct py_frame *f;
	long ret;

	if (!reader_ok(r) || !w->frame)
		return 1;
	if (w->depth >= PY_MAX_DEPTH || fi >= PY_MAX_FRAMES) {
		w->truncated = 1;
		return 1;
	}
	ret = read_prefix(layout.frame_read, w->frame, r);
	if (ret)
		goto fail;
	code = field64(layout.frame_code);
	w->frame = field64(layout.frame_previous);
	ret = read_prefix(layout.code_read, code, r);
	if (ret)
		goto fail;
	name = field64(layout.code_name);
	file = field64(layout.code_filename);
	f = &sample.frames[fi];
	f->code = code;
	ret = read_str(name, f->name, PY_NAME_MAX, &f->name_len, &f->name_kind, r);
	if (ret)
		goto fail;
	ret = read_str(file, f->file, PY_FILE_MAX, &f->file_len, &f->file_kind, r);
	if (ret)
		goto fail;
	sample.nframes = fi + 1;
	w->depth++;
	return 0;
fail:
	w->error = ret;
	return 1;
}

/* One thread, as a bpf_loop() callback: 1 when the list ends or fails. */
static long thread_step(__u32 i __attribute__((unused)), struct thread_walk *w)
{
	struct frame_walk fw = {};
	walk_reader_t r = w->reader;
	__u32 ti = sample.nthreads;
	struct py_thread *t;
	__u64 cframe;
	long ret;

	if (!reader_ok(r) || !w->tstate || ti >= PY_MAX_THREADS)
		return 1;
	fw.reader = r;
	t = &sample.threads[ti];
	t->first = sample.nframes;
	t->depth = 0;
	t->truncated = 0;
	t->native_tid = 0;
	sample.nthreads = ti + 1;
	ret = read_prefix(layout.tstate_read, w->tstate, r);
	if (ret) {
		t->error = ret;
		return 1;
	}
	t->native_tid = field64(layout.tstate_native_tid);
	w->tstate = field64(layout.tstate_next);
	cframe = field64(layout.tstate_cframe);
	if (cframe) {
		ret = read_prefix(layout.cframe_read, cframe, r);
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

/* Empties the sample and records why it could not be taken (0: it can). */
static __always_inline void walk_start(long error)
{
	sample.nthreads = 0;
	sample.nframes = 0;
	sample.reads = 0;
	sample.error = error;
}

/* Takes one sample of the main interpreter's threads into `sample`. */
static __always_inline void walk_interpreter(walk_reader_t r)
{
	struct thread_walk w = {};
	__u64 interp;
	long ret;

	walk_start(0);
	ret = read_prefix(layout.runtime_read, layout.runtime, r);
	if (ret)
		goto fail;
	interp = field64(layout.runtime_interp_head);
	if (!interp) {
		ret = -ESRCH;
		goto fail;
	}
	ret = read_prefix(layout.interp_read, interp, r);
	if (ret)
		goto fail;
	w.reader = r;
	w.tstate = field64(layout.interp_threads_head);
	bpf_loop(PY_MAX_THREADS, thread_step, &w, 0);
	return;
fail:
	sample.error = ret;
}

#endif /* PYSTACK_STACK_WALK_H */
