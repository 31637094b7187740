/* SPDX-License-Identifier: GPL-2.0 */
/* Types with CPython 3.11's names and a layout of their own, for the DWARF
 * reader's tests: compiled with -g into an object the tests read, and
 * included by the tests, which compare with offsetof(). Every type and
 * member pystack's offsets list (src/offsets.hpp) names is here.
 */
#ifndef PYSTACK_FIXTURE_H
#define PYSTACK_FIXTURE_H

#include <stdint.h>

typedef struct {
	long pad;
	long ob_refcnt;
	void *ob_type;
} PyObject;

typedef struct {
	PyObject ob_base;
	long ob_size;
} PyVarObject;

struct fx_interpreters {
	long pad;
	void *head;
	void *main;
};

struct fx_gil {
	unsigned long interval;
	void *last_holder;
	int locked;
};

typedef struct pyruntimestate {
	int initialized;
	char pad[20];
	struct fx_interpreters interpreters;
	unsigned long main_thread;
	char pad2[12];
	struct {
		int signals_pending;
		struct fx_gil gil;
	} ceval;
} _PyRuntimeState;

typedef struct _is {
	struct _is *next;
	long id;
	struct {
		void *head;
		long count;
	} threads;
	void *runtime;
	char pad[40];
	void *modules;
} PyInterpreterState;

typedef struct _ts {
	struct _ts *prev;
	struct _ts *next;
	void *interp;
	union {
		long as_long;
		void *cframe; /* found through an anonymous union */
	};
	unsigned long thread_id;
	unsigned long native_thread_id;
	char pad[24];
	void *datastack_chunk;
	void **datastack_top;
} PyThreadState;

typedef struct _PyCFrame {
	uint8_t use_tracing;
	struct _PyInterpreterFrame *current_frame;
} _PyCFrame;

typedef struct _stack_chunk {
	struct _stack_chunk *previous;
	unsigned long size;
	unsigned long top;
	void *data[1];
} _PyStackChunk;

struct _PyInterpreterFrame {
	void *f_func;
	void *f_code;
	struct _PyInterpreterFrame *previous;
	uint16_t *prev_instr;
	int stacktop;
	char owner;
	void *localsplus[1];
};

typedef struct {
	PyVarObject ob_base;
	void *co_consts;
	void *co_names;
	void *co_exceptiontable;
	int co_flags;
	int co_firstlineno;
	void *co_localsplusnames;
	int _co_firsttraceable;
	long pad[3];
	void *co_filename;
	void *co_name;
	void *co_qualname;
	void *co_linetable;
	char co_code_adaptive[1];
} PyCodeObject;

typedef struct {
	PyVarObject ob_base;
	long ob_shash;
	char ob_sval[1];
} PyBytesObject;

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

typedef struct {
	PyVarObject ob_base;
	uint32_t ob_digit[1];
} PyLongObject;

typedef struct {
	PyObject ob_base;
	long ma_used;
	void *ma_keys;
	void *ma_values;
} PyDictObject;

typedef struct _dictkeysobject {
	long dk_refcnt;
	uint8_t dk_kind;
	uint8_t dk_log2_size;
	uint8_t dk_log2_index_bytes;
	long dk_nentries;
	char dk_indices[];
} PyDictKeysObject;

typedef struct {
	void *me_key;
	long me_hash;
	void *me_value;
} PyDictKeyEntry;

typedef struct {
	void *me_value;
	void *me_key;
} PyDictUnicodeEntry;

typedef struct {
	PyObject ob_base;
	void *md_state;
	void *md_dict;
} PyModuleObject;

typedef struct _typeobject {
	PyVarObject ob_base;
	const char *tp_name;
	char pad[64];
	unsigned long tp_flags;
} PyTypeObject;

typedef struct {
	PyTypeObject ht_type;
	char pad[100];
	PyDictKeysObject *ht_cached_keys;
} PyHeapTypeObject;

/* Something the layout reader must refuse: a field past PY_READ_MAX. */
struct fx_too_big {
	char pad[600];
	void *next;
};

#endif /* PYSTACK_FIXTURE_H */
