/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by pystack's BPF program and its user space.
 *
 * struct py_layout says where CPython 3.11 keeps what the walk follows; the
 * tool fills it from the interpreter's DWARF (python3.11-dbg) before the
 * program is loaded. struct py_sample is what one walk produces, whichever
 * walker performed it: the BPF program writes it into its .bss, the
 * process_vm_readv walker into memory of its own, read for read the same.
 */
#ifndef PYSTACK_LAYOUT_H
#define PYSTACK_LAYOUT_H

#define PY_MAX_THREADS 16
#define PY_MAX_FRAMES 512	/* all threads of one sample */
#define PY_MAX_DEPTH 256	/* one thread */
#define PY_NAME_MAX 64		/* bytes of a function name kept */
#define PY_FILE_MAX 192		/* bytes of a file name kept */
#define PY_READ_MAX 256		/* the largest struct prefix read at once */

struct py_layout {
	__u64 runtime;			/* address of _PyRuntime in the target */
	/* bytes read of each struct: its prefix up to the last field used */
	__u32 runtime_read, interp_read, tstate_read, cframe_read;
	__u32 frame_read, code_read;
	/* _PyRuntimeState */
	__u32 runtime_interp_head;	/* interpreters.head */
	/* PyInterpreterState (the main one only) */
	__u32 interp_threads_head;	/* threads.head */
	/* PyThreadState */
	__u32 tstate_next, tstate_native_tid, tstate_cframe;
	/* _PyCFrame, _PyInterpreterFrame */
	__u32 cframe_current_frame;
	__u32 frame_code, frame_previous;
	/* PyCodeObject */
	__u32 code_name, code_filename;
	/* PyASCIIObject / PyCompactUnicodeObject */
	__u32 str_length, str_state;
	__u32 ascii_size, compact_size;	/* where the characters start */
	__u32 kind_shift, compact_shift, ascii_shift;	/* bits of state */
};

/* py_frame.*_kind: bytes per character (PyUnicode kind); 0: not read */
struct py_frame {
	__u64 code;
	__u16 name_len, file_len;	/* bytes kept */
	__u8 name_kind, file_kind;
	__u8 pad[2];
	char name[PY_NAME_MAX];
	char file[PY_FILE_MAX];
};

struct py_thread {
	__u64 native_tid;
	__u32 first;		/* index of its innermost frame in frames[] */
	__u32 depth;		/* frames kept, innermost first */
	__s32 error;		/* 0, or the read that failed (-errno) */
	__u32 truncated;	/* 1 if the chain went on past what was kept */
};

struct py_sample {
	__u32 nthreads;
	__u32 nframes;
	__u32 reads;		/* reads performed */
	__s32 error;		/* 0, or the first failed read before any thread */
	struct py_thread threads[PY_MAX_THREADS];
	struct py_frame frames[PY_MAX_FRAMES];
};

#endif /* PYSTACK_LAYOUT_H */
