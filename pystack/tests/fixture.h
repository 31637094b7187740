/* SPDX-License-Identifier: GPL-2.0 */
/* Types with CPython 3.11's names and a layout of their own, for the DWARF
 * reader's tests: compiled with -g into an object the tests read, and
 * included by the tests, which compare with offsetof().
 */
#ifndef PYSTACK_FIXTURE_H
#define PYSTACK_FIXTURE_H

#include <stdint.h>

struct fx_interpreters {
	long pad;
	void *head;
};

typedef struct pyruntimestate {
	int initialized;
	char pad[20];
	struct fx_interpreters interpreters;
} _PyRuntimeState;

typedef struct _is {
	struct _is *next;
	long id;
	struct {
		void *head;
		long count;
	} threads;
} PyInterpreterState;

typedef struct _ts {
	struct _ts *prev;
	struct _ts *next;
	union {
		long as_long;
		void *cframe;	/* found through an anonymous union */
	};
	unsigned long thread_id;
	unsigned long native_thread_id;
} PyThreadState;

typedef struct _PyCFrame {
	uint8_t use_tracing;
	struct _PyInterpreterFrame *current_frame;
} _PyCFrame;

struct _PyInterpreterFrame {
	void *f_func;
	void *f_code;
	struct _PyInterpreterFrame *previous;
};

typedef struct {
	long refcnt;
	void *type;
	long pad[3];
	void *co_filename;
	void *co_name;
} PyCodeObject;

typedef struct {
	long refcnt;
	void *type;
	long length;
	long hash;
	struct {
		unsigned int interned : 2;
		unsigned int kind : 3;
		unsigned int compact : 1;
		unsigned int ascii : 1;
		unsigned int ready : 1;
	} state;
	void *wstr;
} PyASCIIObject;

typedef struct {
	PyASCIIObject _base;
	long utf8_length;
	char *utf8;
	long wstr_length;
} PyCompactUnicodeObject;

/* Something the layout reader must refuse: a field past PY_READ_MAX. */
struct fx_too_big {
	char pad[300];
	void *next;
};

#endif /* PYSTACK_FIXTURE_H */
