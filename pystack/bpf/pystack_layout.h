/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by pystack's BPF programs and its user space.
 *
 * struct py_layout says where the target's CPython (3.11 to 3.13) keeps
 * what the walk follows; the tool fills it from the interpreter's DWARF,
 * from a table generated at build time or from the interpreter's own
 * _Py_DebugOffsets (src/versions.hpp), and puts one per target process in
 * the targets map. A sample is what one walk of every target produces,
 * whichever walker performed it: the header (struct py_sample_hdr), one
 * struct py_thread per Python thread (the threads map), one struct py_frame
 * per frame (the frames map), and a struct py_symbol for every code object
 * seen for the first time (the symbols ring buffer).
 */
#ifndef PYSTACK_LAYOUT_H
#define PYSTACK_LAYOUT_H

#define PY_READ_MAX 1024 /* the largest part of a struct read at once */
#define PY_CHUNK_MAX 16384 /* bytes of a stack chunk read at once */
#define PY_CHUNK_MIN 16384 /* CPython's smallest stack chunk (3.11-3.13) */
#define PY_NAME_MAX 128 /* bytes of a function name kept */
#define PY_FILE_MAX 256 /* bytes of a file name kept */
#define PY_QUALNAME_MAX 256 /* bytes of a qualified name kept */
#define PY_LINES_MAX 4096 /* bytes of a location table kept */
#define PY_CODE_IDS 8 /* PyCodeObject words that identify one */
#define PY_COMM_LEN 16
#define PY_FRAME_OWNED_BY_GENERATOR 1 /* _PyInterpreterFrame.owner, 3.11-3.13 */

/* struct py_thread.consistency: what is known of the thread's stack */
enum py_consistency {
	PY_UNCHECKED = 0, /* the walker cannot tell (process_vm_readv) */
	PY_QUIET = 1, /* off a CPU, no context switch: did not run */
	PY_CHECKED =
		2, /* ran; its stack read again after the walk was the same */
	PY_TORN = 3, /* changed while it was read, every attempt */
};

/* Why a walk of a thread was found torn: struct py_sample_hdr.torn[] */
enum py_torn_why {
	PY_TORN_MOVED =
		0, /* its chunk, read again right after the copy, differed */
	PY_TORN_HALF_MADE =
		1, /* a frame's prev_instr lay outside its code object */
	PY_TORN_ALONE =
		2, /* a frame above the copy was read alone: no check covers it */
	PY_TORN_AFTER = 3, /* its stack, read again after the walk, differed */
	PY_TORN_GONE = 4, /* it exited during its walk */
	PY_TORN_WHY = 5,
};

/* struct py_thread.state, as the scheduler saw the thread before its walk */
enum py_state {
	PY_STATE_UNKNOWN = 0,
	PY_STATE_ON_CPU = 1,
	PY_STATE_RUNNABLE = 2, /* TASK_RUNNING, waiting for a CPU */
	PY_STATE_IDLE = 3, /* sleeping or stopped */
	PY_STATE_RUNNING =
		4, /* on a CPU or runnable; /proc cannot tell which */
};

struct py_layout {
	__u64 runtime; /* address of _PyRuntime in the target */
	__u64 code_type; /* address of PyCode_Type in the target */
	/* what is read of each struct: [x_lo, x_lo + x_read) of it, from
	 * its first field used to its last; field offsets are from the
	 * struct's start
	 */
	__u32 runtime_lo, runtime_read, interp_lo, interp_read;
	__u32 tstate_lo, tstate_read, cframe_read, frame_read;
	/* _PyRuntimeState */
	__u32 runtime_interp; /* interpreters.main */
	/* the GIL: the runtime's (3.11) or the main interpreter's (3.12+) */
	__u32 gil_in_interp;
	__u32 gil_locked; /* gil.locked */
	__u32 gil_holder; /* gil.last_holder (a PyThreadState) */
	/* PyInterpreterState (the main one only) */
	__u32 interp_threads_head; /* threads.head */
	/* PyThreadState; its current frame is its own (3.13+:
	 * frame_in_tstate, at tstate_current_frame) or its _PyCFrame's
	 */
	__u32 tstate_next, tstate_interp, tstate_thread_id, tstate_native_tid;
	__u32 tstate_cframe, tstate_chunk, tstate_stack_top;
	__u32 frame_in_tstate, tstate_current_frame;
	/* _PyCFrame */
	__u32 cframe_current_frame;
	/* _PyStackChunk */
	__u32 chunk_previous, chunk_size, chunk_top, chunk_data;
	/* _PyInterpreterFrame: its code object (f_code, f_executable), the
	 * frame below, its instruction (prev_instr: the last begun;
	 * instr_ptr: the one running), its owner (0: not read): a frame
	 * whose owner is cstack_owner (if not 0) runs no code (an entry frame
	 * on the C stack, 3.12+) and is left out of the stack
	 */
	__u32 frame_code, frame_previous, frame_prev_instr, frame_owner;
	__u32 cstack_owner;
	/* PyCodeObject: the words that identify one (ob_type first), read
	 * as [code_lo, code_lo + code_read) together with the rest
	 */
	__u32 code_ids[PY_CODE_IDS];
	__u32 code_lo, code_read;
	__u32 code_name, code_filename, code_linetable, code_firstlineno;
	__u32 code_adaptive; /* co_code_adaptive: the instructions */
	/* _co_firsttraceable: a frame whose instruction is before it is
	 * incomplete (in its prologue, or 3.13's __init__ shim) and left out,
	 * as CPython's own tracebacks do; 0: not checked
	 */
	__u32 code_firsttraceable;
	__u32 code_qualname; /* co_qualname (3.11+): "Class.method" */
	__u32 code_size; /* ob_size: its length, in code units */
	/* PyBytesObject */
	__u32 bytes_size, bytes_data;
	/* PyASCIIObject / PyCompactUnicodeObject */
	__u32 str_length, str_state;
	__u32 ascii_size, compact_size; /* where the characters start */
	__u32 kind_shift, compact_shift, ascii_shift; /* bits of state */
};

/* One process to sample (the targets map). User space writes the layout
 * and pid; the walk writes the rest.
 */
struct py_target {
	struct py_layout layout;
	__s32 pid;
	__s32 error; /* 0, or why its interpreter could not be read */
	__u32 nthreads; /* thread records of this target in the sample */
	__u32 more_threads; /* 1: threads past max_threads were not walked */
	__u64 gil_holder; /* the PyThreadState holding the GIL, or 0 */
};

/* One Python thread of a sample (the threads map). */
struct py_thread {
	__u64 native_tid;
	__u64 thread_id; /* pthread_t, as threading.get_ident() */
	__u64 tstate;
	__u32 target; /* index in the targets map */
	__u32 first; /* index of its innermost frame in frames */
	__u32 depth; /* frames kept, innermost first */
	__s32 error; /* 0, or the read that failed (-errno) */
	__u8 truncated; /* 1 if the chain went on past max_depth */
	__u8 consistency; /* enum py_consistency */
	__u8 state; /* enum py_state */
	__u8 gil; /* 1 if it holds the GIL */
	__u8 attempts; /* walks made (retries + 1) */
	__u8 pad[3];
	char comm[PY_COMM_LEN]; /* the OS thread's name, if the walker knows it */
};

/* One frame (the frames map). */
struct py_frame {
	__u32 sym; /* symbol id (struct py_symbol), 0 if unknown */
	__s32 lasti; /* the last instruction, in code units */
};

/* A code object, sent once (the symbols ring buffer): its names and its
 * location table, read while the frame that holds it was walked.
 */
struct py_symbol {
	__u32 sym;
	__s32 pid;
	__u64 code;
	__s32 firstlineno;
	__u16 name_len, file_len, lines_len, qualname_len; /* bytes kept */
	__u8 name_kind, file_kind,
		qualname_kind; /* bytes per character; 0: not read */
	__u8 lines_truncated;
	char name[PY_NAME_MAX];
	char file[PY_FILE_MAX];
	char qualname[PY_QUALNAME_MAX];
	__u8 lines[PY_LINES_MAX];
};

/* What one sample cost and found (the walkers' .bss / memory). */
struct py_sample_hdr {
	__u64 run; /* samples taken so far */
	__u32 ntargets; /* set by user space: targets to walk */
	__u32 nthreads;
	__u32 nframes;
	__u32 reads; /* reads performed */
	__u64 bytes; /* bytes read */
	__u32 symbols_sent; /* struct py_symbol records this sample */
	__u32 symbols_lost; /* ... that did not fit in the ring buffer */
	__u32 code_checks; /* code objects read again to check their identity */
	__u32 code_reused; /* ... found to be another object than cached */
	__u32 retries; /* thread walks made again after a torn one */
	__u32 frames_dropped; /* frames past the frames map */
	__u32 torn[PY_TORN_WHY]; /* torn thread walks, retried or not, by why */
	__u32 pad;
};

/* The code-object cache (a BPF LRU hash map), and what the walk knows of
 * a thread from the scheduler.
 */
struct py_code_key {
	__u64 code;
	__s32 pid;
	__u32 pad;
};

struct py_code_val {
	__u64 id; /* hash of the identifying words */
	__u32 sym;
	__u32 pad;
};

/* The direct-mapped table in front of the map. */
#define PY_CODE_SLOTS 512
struct py_code_slot {
	__u64 code;
	__u64 id;
	__u64 seen_run; /* the sample it was last checked in */
	__s32 pid;
	__u32 sym;
	__u64 size; /* ob_size: its instructions, in code units */
	__u32 traceable; /* _co_firsttraceable */
	__u32 pad;
};

struct py_sched {
	__u64 switches; /* voluntary + involuntary context switches */
	__u32 on_cpu;
	__u32 state; /* enum py_state */
	char comm[PY_COMM_LEN];
};

/* The walk's own state (stack_walk.h). */
/* A copy of target memory [lo, hi). */
struct walk_window {
	__u64 lo, hi;
};

/* Where the thread being walked stands. */
struct walk_cursor {
	__u64 cframe, chunk, top, frame; /* as read from its tstate */
	__u64 first_in_window; /* the first frame found in cwin */
	__u32 first_is_top;
	__u32 outside; /* 1: a frame was read outside cwin */
	__u32 unverified; /* 1: a frame no check can vouch for */
	__u32 pad;
	/* the next older chunk: not yet probed (next), or probed (probe,
	 * its live data ending at probe_hi, its own previous probe_next)
	 */
	__u64 next, probe, probe_hi, probe_next;
};

/* Settings fixed when the walk is loaded. */
struct py_walk_config {
	__u32 max_threads; /* thread records per sample */
	__u32 max_frames; /* frame records per sample */
	__u32 max_depth; /* frames kept per thread */
	__u32 retries; /* walks of a torn thread again, at most */
	__u32 cpu_mode; /* 1: only threads on a CPU or runnable */
	/* 1: pystack runs in the initial pid namespace, whose ids
	 * bpf_task_from_pid() takes, and a target's pid is one of them; 0: no
	 * scheduler state is looked up (a match would be a coincidence)
	 */
	__u32 sched_ids;
};

#endif /* PYSTACK_LAYOUT_H */
