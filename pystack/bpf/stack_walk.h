/* SPDX-License-Identifier: GPL-2.0 */
/* The walk of one pystack sample, written once for every walker: the BPF
 * programs (stack_walker.c) and the process_vm_readv walkers
 * (src/pvm_walker.cpp, src/austin_walker.cpp) include it, so they make the
 * same reads, in the same order, by construction. Per target process:
 *
 *   _PyRuntime (interpreters.main; 3.11: the GIL) -> PyInterpreterState
 *   (3.12+: the GIL) -> each PyThreadState (next), and per thread:
 *      its scheduler state; its current frame (3.11, 3.12: through its
 *      _PyCFrame); the live part of its current _PyStackChunk, in one
 *      read; each _PyInterpreterFrame (previous), from that copy where it
 *      lies there (older chunks are read whole in turn, other frames one
 *      by one; 3.12+'s entry frames on the C stack are stepped over); per
 *      frame its PyCodeObject, through a cache (below); the scheduler
 *      state again. Which CPython: struct py_layout says (src/versions/).
 *
 * The code-object cache maps (pid, code address) to a symbol id (a
 * direct-mapped table in the walk's memory, in front of a BPF LRU hash
 * map that holds every code object seen). A code
 * object met for the first time is read whole once: co_name and
 * co_filename (PyUnicode: header, then characters), co_firstlineno and
 * the location table (co_linetable: header, then bytes) go to user space
 * as a struct py_symbol. After that, a code object costs one read per
 * sample, however many frames run it: its identifying words (ob_type,
 * co_consts, co_names, co_filename, co_name, co_linetable, ...) read again
 * and compared with the cached ones, which detects a freed address taken
 * by another code object.
 *
 * Consistency: a thread that was off a CPU before and after its walk and
 * made no context switch in between did not run: its sample is exact
 * (PY_QUIET). A thread on a CPU has its tstate, current frame and chunk
 * read again right after the chunk's copy; if the copy's innermost frame
 * is still on its stack and not a byte below it changed, the copy is a
 * snapshot and the walk reads from it (PY_CHECKED). A thread that ran
 * otherwise, or whose walk read frames outside the copy, is read again
 * after the walk, with the same verdict; one whose walk read frames of its
 * current chunk alone, or a frame whose instruction is not in its code
 * object (half made), is torn. Else the thread is walked again, up to
 * walk_cfg.retries times, and then reported PY_TORN.
 *
 * Built with WALK_UNKNOWN_RAN (the kfunc walker), a thread whose scheduler
 * state is unknown (task_sched() < 0: 6.1 has no bpf_task_from_pid()) is
 * checked as one on a CPU: its chunk read again after the copy, its stack
 * read again after the walk. The other walkers keep such a thread
 * unchecked, as Austin and py-spy do.
 *
 * Built with WALK_EVERY_READ, the walk reads like py-spy: every frame,
 * code object, name, file name and location table read every sample, no
 * chunk copy, no cache.
 *
 * The includer defines, before including:
 *   walk_reader_t, reader_open(pid, &r) (0 or -ESRCH), reader_close(r)
 *   read_remote(dst, size, addr, r)   0, or -errno; dst zeroed on error
 *   load64(p), load32(p)              a word from walk memory
 *   target_at(i), thread_at(i), frame_at(i)   slots, NULL past the end
 *   code_lookup(&key), code_store(&key, &val) the code-object cache
 *   symbol_output(&symbol)            0, or -errno: sent to user space
 *   task_sched(tid, pid, &sched)      the thread tid (as CPython recorded it)
 *                                     of process pid (as the walker knows
 *                                     it): 1: switches known, 0: state only,
 *                                     <0: nothing known
 *   walk_cfg (struct py_walk_config), hdr (struct py_sample_hdr),
 *   bpf_loop(), EFAULT, ESRCH, EINVAL, ENOSPC
 */
#ifndef PYSTACK_STACK_WALK_H
#define PYSTACK_STACK_WALK_H

#ifdef WALK_UNKNOWN_RAN
#define WALK_CHECK_UNKNOWN 1
#else
#define WALK_CHECK_UNKNOWN 0
#endif

/* The walk's larger steps (an attempt at a thread's stack, a frame, a code
 * object, the check of a stack) are global functions in BPF: the
 * verifier checks each once, with its arguments unknown, whatever calls
 * it. As static bpf_loop() callbacks, each was checked again in every
 * state of every caller: the walk's four nested loops had 6.12 verify
 * 440003 instructions (10.6 s under TCG before the first sample) and
 * 6.18 give up at a million. The includer may define WALK_GLOBAL (BPF:
 * noinline, not static) and WALK_READER_ARG (what the verifier must know
 * of a walk_reader_t argument: __arg_trusted for a task). A target and a
 * thread stay inline in their callbacks: a callback is a frame too, and
 * the verifier allows 8 (walk_stacks, target, thread, attempt, walk_attempt,
 * frame, walk_frame, walk_code).
 */
#ifndef WALK_GLOBAL
#define WALK_GLOBAL static inline
#endif
#ifndef WALK_READER_ARG
#define WALK_READER_ARG
#endif

#ifdef WALK_EVERY_READ
#define WALK_CACHES 0
#else
#define WALK_CACHES 1 /* chunk copies and the code-object cache */
#endif

/* The walk's state. */
struct py_layout layout; /* the target being walked */
char scratch[PY_READ_MAX]; /* a struct's part */
__u32 scratch_lo; /* where in its struct scratch starts */
char winbuf[PY_CHUNK_MAX]; /* the current chunk's live part */
char oldbuf[PY_CHUNK_MAX]; /* an older chunk's */
char checkbuf[PY_CHUNK_MAX]; /* the current chunk again, after the walk */
struct walk_window cwin, owin, chkwin;
struct walk_cursor cursor;
__u32 next_sym;
struct py_code_slot code_slots[PY_CODE_SLOTS];
struct py_symbol staged; /* the code object being sent */

/* A global function's result as a bpf_loop() callback's, which the
 * verifier wants in [0, 1]. Hidden from the compiler, which knows the
 * function returns no more and would drop the test; the verifier knows
 * nothing of a global function's result.
 */
static __always_inline long callback_ret(long ret)
{
	asm volatile("" : "+r"(ret));
	return ret ? 1 : 0;
}

/* What a bpf_loop() callback is given: the reader, which a global
 * function takes as its argument.
 */
struct walk_ctx {
	walk_reader_t reader;
};

struct frame_walk {
	__u64 frame;
	__s32 pid;
	__u32 depth;
	__u32 truncated;
	__u32 torn; /* 1: a frame's instruction is not in its code */
	long error;
};

struct thread_walk {
	__u64 tstate; /* the thread to walk */
	__u64 next; /* the one after it */
	__u64 gil_holder;
	__s32 pid;
	__u32 target;
	__u32 slot; /* its struct py_thread */
	__u32 skip; /* 1: not sampled (--mode cpu, idle) */
};

struct check_walk {
	__u64 end; /* the words of [cwin.lo, cwin.lo + end) */
	__u64 skip; /* but this one (the innermost's prev_instr), if set */
	__u32 differs;
	__u32 pad;
};

struct find_walk {
	__u64 frame, target;
	__u64 top; /* the thread's data stack top, as read with it */
	__u32 found;
	__u32 pad;
};

/* A code object's, as walk_code() found it. */
struct code_found {
	__u64 size; /* in code units */
	__u32 sym; /* its symbol id; 0: unknown */
	__u32 traceable; /* _co_firsttraceable */
};

/* static: the walk's own, not the skeleton's */
static struct frame_walk fwalk; /* the thread's frames, as walk_frame() goes */
static struct thread_walk twalk; /* the target's threads, as walk_thread() goes */
static struct code_found code_found;

static __always_inline long walk_read(void *dst, __u32 size, __u64 addr,
				      walk_reader_t r)
{
	hdr.reads++;
	hdr.bytes += size;
	return read_remote(dst, size, addr, r);
}

/* Reads bytes [lo, lo + size) of the struct at addr into scratch. */
static __always_inline long read_part(__u32 lo, __u32 size, __u64 addr,
				      walk_reader_t r)
{
	if (size > PY_READ_MAX)
		return -EFAULT;
	scratch_lo = lo;
	return walk_read(scratch, size, addr + lo, r);
}

/* Reads the first `size` bytes of the struct at addr into scratch. */
static __always_inline long read_prefix(__u32 size, __u64 addr, walk_reader_t r)
{
	return read_part(0, size, addr, r);
}

/* A word of one of the walk's buffers; 0 if off is outside it. */
static __always_inline __u64 buf64(const char *buf, __u32 size, __u64 off)
{
	if (off > size - sizeof(__u64))
		return 0;
	return load64(buf + off);
}

static __always_inline __u32 buf32(const char *buf, __u32 size, __u64 off)
{
	if (off > size - sizeof(__u32))
		return 0;
	return load32(buf + off);
}

/* A field of the struct in scratch, by its offset in the struct. */
#define field64(off) \
	buf64(scratch, PY_READ_MAX, (__u64)(__u32)((off)-scratch_lo))
#define field32(off) \
	buf32(scratch, PY_READ_MAX, (__u64)(__u32)((off)-scratch_lo))

static __always_inline __u32 state_bit(__u32 state, __u32 shift)
{
	return (state >> (shift & 31)) & 1;
}

/* Reads a compact str's characters (up to max bytes) into dst: two reads,
 * the header and then the characters. A str that is not compact is left
 * empty with kind 0; code objects' names and file names always are.
 */
static __always_inline long read_str(__u64 addr, char *dst, __u32 max,
				     __u16 *len, __u8 *kind, walk_reader_t r)
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
	off = state_bit(state, layout.ascii_shift) ? layout.ascii_size :
						     layout.compact_size;
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

/* Reads a bytes object's contents (up to max bytes) into dst: two reads. */
static __always_inline long read_bytes(__u64 addr, __u8 *dst, __u32 max,
				       __u16 *len, __u8 *truncated,
				       walk_reader_t r)
{
	__u64 size;
	long ret;

	*len = 0;
	*truncated = 0;
	if (!addr)
		return 0;
	ret = read_prefix(layout.bytes_data, addr, r);
	if (ret)
		return ret;
	size = field64(layout.bytes_size);
	if (size > max) {
		size = max;
		*truncated = 1;
	}
	ret = walk_read(dst, size, addr + layout.bytes_data, r);
	if (ret)
		return ret;
	*len = size;
	return 0;
}

/* The code object's identity: its identifying words, in scratch. */
static __always_inline __u64 code_identity(void)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < PY_CODE_IDS; i++)
		h = (h ^ field64(layout.code_ids[i] - layout.code_lo)) *
		    0x100000001b3ULL;
	h ^= field32(layout.code_firstlineno - layout.code_lo);
	return h ? h : 1;
}

/* Sends the code object in scratch to user space as a new symbol. */
static __always_inline long send_symbol(__u64 code, __s32 pid, __u32 *sym,
					walk_reader_t r)
{
	__u64 name = field64(layout.code_name - layout.code_lo);
	__u64 file = field64(layout.code_filename - layout.code_lo);
	__u64 lines = field64(layout.code_linetable - layout.code_lo);
	__u64 qualname = layout.code_qualname ? field64(layout.code_qualname -
							layout.code_lo) :
						0;
	struct py_symbol *s = &staged;
	long ret;

	s->sym = next_sym + 1;
	s->pid = pid;
	s->code = code;
	s->firstlineno = field32(layout.code_firstlineno - layout.code_lo);
	ret = read_str(name, s->name, PY_NAME_MAX, &s->name_len, &s->name_kind,
		       r);
	if (!ret)
		ret = read_str(file, s->file, PY_FILE_MAX, &s->file_len,
			       &s->file_kind, r);
	if (!ret)
		ret = read_bytes(lines, s->lines, PY_LINES_MAX, &s->lines_len,
				 &s->lines_truncated, r);
	if (!ret)
		ret = read_str(qualname, s->qualname, PY_QUALNAME_MAX,
			       &s->qualname_len, &s->qualname_kind, r);
	if (ret)
		return ret;
	if (symbol_output(s)) {
		hdr.symbols_lost++;
		return -ENOSPC;
	}
	next_sym++;
	*sym = s->sym;
	hdr.symbols_sent++;
	return 0;
}

/* The cache slot a code object goes in first (direct-mapped). */
static __always_inline struct py_code_slot *code_slot(__u64 code)
{
	__u32 i = (__u32)((code >> 4) ^ (code >> 14)) & (PY_CODE_SLOTS - 1);

	return &code_slots[i];
}

/* The symbol id of the code object at `code` (into code_found, with its
 * size and first traceable instruction): from the cache, checked once
 * per sample, or read and sent. The cache is a direct-mapped table in
 * front of the code_lookup() map, so that the frames of a code object
 * already seen in this sample cost no lookup at all. -ENOSPC: unknown this
 * time (the ring buffer is full), not an error of the walk.
 */
WALK_GLOBAL long walk_code(__u64 code, __s32 pid,
			   walk_reader_t r WALK_READER_ARG)
{
	struct py_code_key key = { .code = code, .pid = pid, .pad = 0 };
	struct py_code_slot *slot = code_slot(code);
	struct py_code_val *v, nv = {};
	__u32 *sym = &code_found.sym, *traceable = &code_found.traceable;
	__u64 *size = &code_found.size;
	__u64 id, cached_id = 0;
	__u32 cached_sym = 0;
	long ret;

	*sym = 0;
	*size = 0;
	*traceable = 0;
	if (WALK_CACHES && slot->code == code && slot->pid == pid) {
		if (slot->seen_run == hdr.run) {
			*sym = slot->sym;
			*size = slot->size;
			*traceable = slot->traceable;
			return 0;
		}
		cached_id = slot->id;
		cached_sym = slot->sym;
	} else if (WALK_CACHES) {
		v = code_lookup(&key);
		if (v) {
			cached_id = v->id;
			cached_sym = v->sym;
		}
	}
	ret = read_prefix(layout.code_read, code + layout.code_lo, r);
	if (ret)
		return ret;
	/* code_ids[0] is ob_type: a frame's f_code is a code object */
	if (layout.code_type &&
	    field64(layout.code_ids[0] - layout.code_lo) != layout.code_type)
		return -EINVAL;
	id = code_identity();
	*size = field64(layout.code_size - layout.code_lo);
	*traceable =
		layout.code_firsttraceable ?
			field32(layout.code_firsttraceable - layout.code_lo) :
			0;
	if (cached_sym) {
		hdr.code_checks++;
		if (cached_id == id) {
			*sym = cached_sym;
			goto remember;
		}
		hdr.code_reused++;
	}
	ret = send_symbol(code, pid, sym, r);
	if (ret)
		return ret;
	if (WALK_CACHES) {
		nv.id = id;
		nv.sym = *sym;
		code_store(&key, &nv);
	}
remember:
	if (WALK_CACHES) {
		slot->code = code;
		slot->pid = pid;
		slot->id = id;
		slot->sym = *sym;
		slot->size = *size;
		slot->traceable = *traceable;
		slot->seen_run = hdr.run;
	}
	return 0;
}

static __always_inline int in_window(const struct walk_window *w, __u64 f)
{
	return f >= w->lo && f + layout.frame_read <= w->hi && w->hi > w->lo;
}

/* The fields of a frame the walk follows. */
struct frame_fields {
	__u64 code, instr;
	__u32 owner;
	__u32 pad;
};

/* A frame's fields from a copy of [lo, ...). */
static __always_inline void frame_from(const char *buf, __u64 lo, __u64 f,
				       struct frame_fields *ff, __u64 *prev)
{
	__u64 off = f - lo;

	ff->code = buf64(buf, PY_CHUNK_MAX, off + layout.frame_code);
	*prev = buf64(buf, PY_CHUNK_MAX, off + layout.frame_previous);
	ff->instr = buf64(buf, PY_CHUNK_MAX, off + layout.frame_prev_instr);
	ff->owner = buf32(buf, PY_CHUNK_MAX, off + layout.frame_owner) & 0xff;
}

/* Copies [lo, hi) of target memory into buf, in one read. */
static __always_inline long read_window(char *buf, struct walk_window *w,
					__u64 lo, __u64 hi, walk_reader_t r)
{
	__u64 size = hi - lo;
	long ret;

	w->lo = w->hi = 0;
	if (hi <= lo || size > PY_CHUNK_MAX)
		return -EFAULT;
	ret = walk_read(buf, size, lo, r);
	if (ret)
		return ret;
	w->lo = lo;
	w->hi = hi;
	return 0;
}

/* The live part of the chunk at c, whose data ends at hi, as a window:
 * all of it, or its last PY_CHUNK_MAX bytes.
 */
static __always_inline __u64 window_start(__u64 c, __u64 hi)
{
	return hi - c > PY_CHUNK_MAX ? hi - PY_CHUNK_MAX : c;
}

/* Finds f in an older chunk: probes the next one (its header, one read)
 * and, if f lies in its live part, copies that part (one more read).
 * 1 if f is now in `old`.
 */
static __always_inline int load_older(__u64 f, walk_reader_t r)
{
	__u64 lo;

	if (!cursor.probe && cursor.next) {
		if (read_prefix(layout.chunk_data, cursor.next, r))
			return 0;
		cursor.probe = cursor.next;
		cursor.probe_hi = cursor.next + layout.chunk_data +
				  field64(layout.chunk_top) * 8;
		cursor.probe_next = field64(layout.chunk_previous);
		cursor.next = 0;
	}
	if (!cursor.probe || f < cursor.probe || f >= cursor.probe_hi)
		return 0;
	lo = window_start(cursor.probe, cursor.probe_hi);
	if (read_window(oldbuf, &owin, lo, cursor.probe_hi, r))
		return 0;
	cursor.next = lo == cursor.probe ? cursor.probe_next : 0;
	cursor.probe = 0;
	return in_window(&owin, f);
}

/* 1 if f may lie in the current chunk above its copy: a frame the thread
 * pushed after its tstate was read, which no check after the walk covers
 * (it compares the copy's frames, and this one was read alone, at another
 * moment). Where the chunk ends is known from the copy of its header;
 * from its first PY_CHUNK_MIN bytes (the least CPython allocates) if
 * there is no copy; not at all if the copy is the end of a longer live
 * part: then any frame above it may be one.
 */
static __always_inline int above_window(__u64 f)
{
	__u64 lo = cursor.chunk, end = cursor.chunk + PY_CHUNK_MIN;

	if (!cursor.chunk)
		return 0;
	if (cwin.hi > cwin.lo) {
		lo = cwin.hi;
		if (cwin.lo == cursor.chunk)
			end = cursor.chunk +
			      buf64(winbuf, PY_CHUNK_MAX, layout.chunk_size);
		else
			end = ~0ULL;
	}
	return f >= lo && f < end;
}

/* The fields of the frame at f: from a chunk copy, or one read. */
static __always_inline long read_frame(__u64 f, struct frame_fields *ff,
				       __u64 *prev, int top, walk_reader_t r)
{
	long ret;

	if (!WALK_CACHES)
		goto read;
	if (in_window(&cwin, f)) {
		if (!cursor.first_in_window) {
			cursor.first_in_window = f;
			cursor.first_is_top = top;
		}
		frame_from(winbuf, cwin.lo, f, ff, prev);
		return 0;
	}
	cursor.outside = 1;
	if (above_window(f))
		cursor.unverified = 1;
	if (in_window(&owin, f) || load_older(f, r)) {
		frame_from(oldbuf, owin.lo, f, ff, prev);
		return 0;
	}
read:
	ret = read_prefix(layout.frame_read, f, r);
	if (ret)
		return ret;
	ff->code = field64(layout.frame_code);
	*prev = field64(layout.frame_previous);
	ff->instr = field64(layout.frame_prev_instr);
	ff->owner = field32(layout.frame_owner) & 0xff;
	return 0;
}

/* One frame of fwalk's thread: 1 when the chain ends or fails. */
WALK_GLOBAL long walk_frame(__u32 i, walk_reader_t r WALK_READER_ARG)
{
	struct frame_walk *w = &fwalk;
	struct frame_fields ff = {};
	__u64 f = w->frame, code, size = 0;
	__u32 fi = hdr.nframes, sym = 0, traceable = 0;
	struct py_frame *out;
	long ret;

	if (!f)
		return 1;
	ret = read_frame(f, &ff, &w->frame, i == 0, r);
	if (ret) {
		w->error = ret;
		return 1;
	}
	/* an entry frame (3.12+) links the frames of two calls of the
	 * interpreter from C: no code of its own, no frame of the stack
	 */
	if (layout.cstack_owner && ff.owner == layout.cstack_owner)
		return 0;
	if (w->depth >= walk_cfg.max_depth) {
		w->truncated = 1;
		return 1;
	}
	out = frame_at(fi);
	if (!out) {
		hdr.frames_dropped++;
		w->truncated = 1;
		return 1;
	}
	code = ff.code;
	ret = walk_code(code, w->pid, r);
	if (ret == -ENOSPC)
		ret = 0;
	if (ret) {
		w->error = ret;
		return 1;
	}
	sym = code_found.sym;
	size = code_found.size;
	traceable = code_found.traceable;
	/* A frame's prev_instr points into its own code object's instructions
	 * (one code unit before the first, before it starts). One that does
	 * not was read half made: 3.11 sets a new frame's f_code before its
	 * prev_instr, which until then is the previous occupant's, of another
	 * code object; or torn in some other way. (3.13's instr_ptr points
	 * at the instruction itself, which the same range holds.)
	 */
	if (ff.instr < code + layout.code_adaptive - 2 ||
	    ff.instr >= code + layout.code_adaptive + 2 * size)
		w->torn = 1;
	/* A frame not yet past its first traceable instruction is incomplete:
	 * in its prologue, or one of the interpreter's shims (3.13 runs an
	 * __init__ called from a specialized site under _Py_InitCleanup).
	 * CPython's tracebacks leave it out (_PyFrame_IsIncomplete); so does
	 * the walk. Not a generator's: its frame is complete once made.
	 */
	else if (ff.instr <
			 code + layout.code_adaptive + 2 * (__u64)traceable &&
		 !(layout.frame_owner &&
		   ff.owner == PY_FRAME_OWNED_BY_GENERATOR))
		return 0;
	out->sym = sym;
	/* the instruction - _PyCode_CODE(code), in code units; -1 before the
	 * first (3.11, 3.12)
	 */
	out->lasti = ff.instr ? (__s32)((__s64)(ff.instr - code -
						layout.code_adaptive) >>
					1) :
				-1;
	hdr.nframes = fi + 1;
	w->depth++;
	return 0;
}

/* One frame, as a bpf_loop() callback. */
static long frame_step(__u32 i, struct walk_ctx *c)
{
	return callback_ret(walk_frame(i, c->reader));
}

/* Is `target` still on the thread's stack? From the current frame down,
 * through checkbuf: a bpf_loop() callback, 1 when found or passed (a
 * frame below it, one outside the copy, or one above the data stack's top:
 * a frame already popped, whose memory still links down).
 */
static long find_step(__u32 i __attribute__((unused)), struct find_walk *w)
{
	__u64 f = w->frame;

	if (f + layout.frame_read > w->top)
		return 1;
	if (f == w->target) {
		w->found = 1;
		return 1;
	}
	if (f < w->target || !in_window(&chkwin, f))
		return 1;
	w->frame = buf64(checkbuf, PY_CHUNK_MAX,
			 f - chkwin.lo + layout.frame_previous);
	return 0;
}

/* The i-th word of the copy compared with checkbuf: a bpf_loop()
 * callback, 1 when past the end or when it differs.
 */
static long check_step(__u32 i, struct check_walk *c)
{
	/* masked: bpf_loop() runs it PY_CHUNK_MAX / 8 times at most */
	__u64 off =
		(__u64)(i & (PY_CHUNK_MAX / sizeof(__u64) - 1)) * sizeof(__u64);

	if (off + sizeof(__u64) > c->end)
		return 1;
	if (off != c->skip && buf64(winbuf, PY_CHUNK_MAX, off) !=
				      buf64(checkbuf, PY_CHUNK_MAX, off)) {
		c->differs = 1;
		return 1;
	}
	return 0;
}

/* 1 if the frames of the chunk copy from `first` on are still the
 * thread's, as they were read (three reads: tstate, current frame, the
 * chunk again): right after the chunk's copy, or after the walk. The
 * thread may have called further meanwhile; it must not have returned
 * below `first` (found from the current frame down, under the data
 * stack's top), and no byte of the copy below `first` may have changed,
 * nor `first`'s own fields but the innermost's instruction if `first` was
 * the innermost. Every byte, not only the fields the walk reads: a frame
 * that is not the innermost does not change while it waits for the one
 * it called (its locals, its stack, its specials), but a frame of another
 * call, or a copy made of two moments, does, in its arguments if nothing
 * else: the code, previous and instruction of the frames alone come back
 * the same when a slot is taken again by a call of the same function from
 * the same line.
 */
WALK_GLOBAL int walk_unchanged(__u64 tstate, __u64 first, __u32 first_is_top,
			       walk_reader_t r WALK_READER_ARG)
{
	struct find_walk w = {};
	struct check_walk c = {};
	__u64 cframe, top, current = 0, hi;

	if (read_part(layout.tstate_lo, layout.tstate_read, tstate, r) ||
	    field64(layout.tstate_chunk) != cursor.chunk)
		return 0;
	cframe = layout.frame_in_tstate ? 0 : field64(layout.tstate_cframe);
	top = field64(layout.tstate_stack_top);
	if (layout.frame_in_tstate)
		current = field64(layout.tstate_current_frame);
	if (cframe) {
		if (read_prefix(layout.cframe_read, cframe, r))
			return 0;
		current = field64(layout.cframe_current_frame);
	}
	/* nothing of the walk in the copy: the thread must not have moved */
	if (!first)
		return cframe == cursor.cframe && top == cursor.top &&
		       current == cursor.frame;
	hi = top > cwin.hi ? top : cwin.hi;
	if (hi - cwin.lo > PY_CHUNK_MAX)
		hi = cwin.lo + PY_CHUNK_MAX;
	if (read_window(checkbuf, &chkwin, cwin.lo, hi, r))
		return 0;
	w.frame = current;
	w.target = first;
	w.top = top;
	bpf_loop(walk_cfg.max_depth + 1, find_step, &w, 0);
	if (!w.found || !in_window(&cwin, first))
		return 0;
	c.end = first - cwin.lo + layout.frame_read;
	/* the innermost runs on: its instruction may move */
	c.skip = first_is_top ? first - cwin.lo + layout.frame_prev_instr :
				~0ULL;
	bpf_loop(PY_CHUNK_MAX / sizeof(__u64), check_step, &c, 0);
	return !c.differs;
}

static __always_inline __u32 sched_state(const struct py_sched *s)
{
	return s->on_cpu ? (__u32)PY_STATE_ON_CPU : s->state;
}

/* One walk of twalk's thread: 1 when it is done (a consistent sample, or
 * no retry left), 0 to walk it again.
 */
WALK_GLOBAL long walk_attempt(__u32 i, walk_reader_t r WALK_READER_ARG)
{
	struct thread_walk *tw = &twalk;
	struct frame_walk *fw = &fwalk;
	struct walk_ctx ctx = { .reader = r };
	struct py_sched before = {}, after = {};
	struct py_thread *th = thread_at(tw->slot);
	int known, ran, early = 0;
	__u64 hi;
	long ret;

	if (!th)
		return 1;
	hdr.nframes = th->first;
	if (i)
		hdr.retries++;
	th->attempts = i + 1;
	th->depth = 0;
	th->truncated = 0;
	th->error = 0;
	th->consistency = PY_UNCHECKED;
	ret = read_part(layout.tstate_lo, layout.tstate_read, tw->tstate, r);
	if (ret) {
		th->error = ret;
		return 1;
	}
	tw->next = field64(layout.tstate_next);
	th->native_tid = field64(layout.tstate_native_tid);
	th->thread_id = field64(layout.tstate_thread_id);
	th->gil = tw->gil_holder == tw->tstate;
	cursor.cframe = layout.frame_in_tstate ? 0 :
						 field64(layout.tstate_cframe);
	cursor.chunk = field64(layout.tstate_chunk);
	cursor.top = field64(layout.tstate_stack_top);
	cursor.frame = layout.frame_in_tstate ?
			       field64(layout.tstate_current_frame) :
			       0;
	cursor.first_in_window = 0;
	cursor.first_is_top = 0;
	cursor.outside = 0;
	cursor.unverified = 0;
	cursor.next = cursor.probe = 0;
	cwin.lo = cwin.hi = owin.lo = owin.hi = 0;

	known = task_sched(th->native_tid, tw->pid, &before);
	th->state = known >= 0 ? sched_state(&before) : (__u32)PY_STATE_UNKNOWN;
	if (known >= 0)
		__builtin_memcpy(th->comm, before.comm, PY_COMM_LEN);
	if (walk_cfg.cpu_mode && th->state == PY_STATE_IDLE) {
		tw->skip = 1;
		return 1;
	}
	if (cursor.cframe) {
		ret = read_prefix(layout.cframe_read, cursor.cframe, r);
		if (ret) {
			th->error = ret;
			return 1;
		}
		cursor.frame = field64(layout.cframe_current_frame);
	}
	/* A current frame above the top read with the tstate: the thread
	 * called further in between. The copy reaches up to it where it
	 * surely lies in the chunk (its first PY_CHUNK_MIN bytes).
	 */
	hi = cursor.top;
	if (cursor.frame >= hi && cursor.frame >= cursor.chunk &&
	    cursor.frame + layout.frame_read <= cursor.chunk + PY_CHUNK_MIN)
		hi = cursor.frame + layout.frame_read;
	if (WALK_CACHES && cursor.chunk &&
	    hi > cursor.chunk + layout.chunk_data &&
	    !read_window(winbuf, &cwin, window_start(cursor.chunk, hi), hi,
			 r) &&
	    cwin.lo == cursor.chunk)
		cursor.next =
			buf64(winbuf, PY_CHUNK_MAX, layout.chunk_previous);
	/* A thread on a CPU is checked right after its chunk's copy: the copy
	 * is a snapshot if the chunk read again a moment later is the same.
	 * The walk then reads from the snapshot; only frames it must read
	 * elsewhere call for the check after the walk.
	 */
	if (((known > 0 && before.on_cpu) ||
	     (WALK_CHECK_UNKNOWN && known < 0)) &&
	    in_window(&cwin, cursor.frame)) {
		early = walk_unchanged(tw->tstate, cursor.frame, 1, r) ? 1 : -1;
		if (early < 0 && i < walk_cfg.retries) {
			th->consistency = PY_TORN;
			hdr.torn[PY_TORN_MOVED]++;
			return 0;
		}
	}
	__builtin_memset(fw, 0, sizeof(*fw));
	fw->frame = cursor.frame;
	fw->pid = tw->pid;
	/* entry frames take turns too: at most one between two of the stack */
	bpf_loop(2 * walk_cfg.max_depth + 2, frame_step, &ctx, 0);
	th->depth = fw->depth;
	/* the loop ran out with frames left: a chain of entry frames */
	th->truncated = fw->truncated || (fw->frame && !fw->error);
	th->error = fw->error;

	if (WALK_CHECK_UNKNOWN && known < 0) {
		ran = 1; /* for all we know */
	} else if (known < 1) {
		return 1;
	} else if (task_sched(th->native_tid, tw->pid, &after) < 1) {
		th->consistency = PY_TORN; /* it is gone: nothing to retry */
		hdr.torn[PY_TORN_GONE]++;
		return 1;
	} else {
		ran = before.on_cpu || after.on_cpu ||
		      before.switches != after.switches;
	}
	/* a frame read half made is no stack the thread had, whatever else */
	if (fw->torn) {
		th->consistency = PY_TORN;
		hdr.torn[PY_TORN_HALF_MADE]++;
		return i >= walk_cfg.retries;
	}
	if (!ran) {
		th->consistency = PY_QUIET;
		return 1;
	}
	if (cursor.unverified) {
		th->consistency = PY_TORN;
		hdr.torn[PY_TORN_ALONE]++;
		return i >= walk_cfg.retries;
	}
	if (!th->error && early > 0 && !cursor.outside) {
		th->consistency = PY_CHECKED;
		return 1;
	}
	if (!th->error && early >= 0 &&
	    walk_unchanged(tw->tstate, cursor.first_in_window,
			   cursor.first_is_top, r)) {
		th->consistency = PY_CHECKED;
		return 1;
	}
	th->consistency = PY_TORN;
	if (early < 0)
		hdr.torn[PY_TORN_MOVED]++;
	else
		hdr.torn[PY_TORN_AFTER]++;
	return i >= walk_cfg.retries;
}

/* One walk of a thread, as a bpf_loop() callback. */
static long attempt_step(__u32 i, struct walk_ctx *c)
{
	return callback_ret(walk_attempt(i, c->reader));
}

/* twalk's next thread: 1 when the list ends. */
static __always_inline long walk_thread(walk_reader_t r)
{
	struct thread_walk *tw = &twalk;
	struct walk_ctx ctx = { .reader = r };
	struct py_target *t = target_at(tw->target);
	struct py_thread *th;
	__u32 slot = hdr.nthreads;

	if (!t || !tw->tstate)
		return 1;
	th = thread_at(slot);
	if (!th) {
		t->more_threads = 1;
		return 1;
	}
	th->target = tw->target;
	th->tstate = tw->tstate;
	th->first = hdr.nframes;
	th->native_tid = 0;
	th->thread_id = 0;
	th->comm[0] = 0;
	tw->slot = slot;
	tw->next = 0;
	tw->skip = 0;
	bpf_loop(walk_cfg.retries + 1, attempt_step, &ctx, 0);
	if (tw->skip) {
		hdr.nframes = th->first;
	} else {
		hdr.nthreads = slot + 1;
		t->nthreads++;
	}
	tw->tstate = tw->next;
	return 0;
}

/* One thread, as a bpf_loop() callback. */
static long thread_step(__u32 i __attribute__((unused)), struct walk_ctx *c)
{
	return walk_thread(c->reader);
}

/* A target's interpreter: its runtime state, then every thread. */
static __always_inline long walk_target(__u32 index, walk_reader_t r)
{
	struct thread_walk *tw = &twalk;
	struct walk_ctx ctx = { .reader = r };
	struct py_target *t = target_at(index);
	__u64 interp;
	long ret;

	if (!t)
		return -EINVAL;

	ret = read_part(layout.runtime_lo, layout.runtime_read, layout.runtime,
			r);
	if (ret)
		goto fail;
	interp = field64(layout.runtime_interp);
	if (!layout.gil_in_interp && field32(layout.gil_locked))
		t->gil_holder = field64(layout.gil_holder);
	if (!interp) {
		ret = -ESRCH;
		goto fail;
	}
	ret = read_part(layout.interp_lo, layout.interp_read, interp, r);
	if (ret)
		goto fail;
	if (layout.gil_in_interp && field32(layout.gil_locked))
		t->gil_holder = field64(layout.gil_holder);
	__builtin_memset(tw, 0, sizeof(*tw));
	tw->tstate = field64(layout.interp_threads_head);
	tw->gil_holder = t->gil_holder;
	tw->pid = t->pid;
	tw->target = index;
	bpf_loop(walk_cfg.max_threads + 1, thread_step, &ctx, 0);
	return 0;
fail:
	t->error = ret;
	return ret;
}

/* One target, as a bpf_loop() callback: 1 past the last. */
static long target_step(__u32 i, void *unused __attribute__((unused)))
{
	struct py_target *t = target_at(i);
	walk_reader_t r;

	if (!t)
		return 1;
	t->error = 0;
	t->nthreads = 0;
	t->more_threads = 0;
	t->gil_holder = 0;
	if (reader_open(t->pid, &r)) {
		t->error = -ESRCH;
		return 0;
	}
	__builtin_memcpy(&layout, &t->layout, sizeof(layout));
	walk_target(i, r);
	reader_close(r);
	return 0;
}

/* Takes one sample of every target's threads. */
static __always_inline void walk_sample(void)
{
	int unused = 0;

	hdr.run++;
	hdr.nthreads = 0;
	hdr.nframes = 0;
	hdr.reads = 0;
	hdr.bytes = 0;
	hdr.symbols_sent = 0;
	hdr.symbols_lost = 0;
	hdr.code_checks = 0;
	hdr.code_reused = 0;
	hdr.retries = 0;
	hdr.frames_dropped = 0;
	__builtin_memset(hdr.torn, 0, sizeof(hdr.torn));
	bpf_loop(hdr.ntargets, target_step, &unused, 0);
}

#endif /* PYSTACK_STACK_WALK_H */
