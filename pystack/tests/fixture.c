// SPDX-License-Identifier: GPL-2.0
/* Puts fixture.h's types into this object's DWARF. */
#include "fixture.h"

PyObject fx_object;
PyVarObject fx_var;
_PyRuntimeState fx_runtime;
PyInterpreterState fx_interp;
PyThreadState fx_tstate;
_PyCFrame fx_cframe;
_PyStackChunk fx_chunk;
struct _PyInterpreterFrame fx_frame;
PyCodeObject fx_code;
PyBytesObject fx_bytes;
PyASCIIObject fx_ascii;
PyCompactUnicodeObject fx_compact;
PyLongObject fx_long;
PyDictObject fx_dict;
PyDictKeysObject fx_keys;
PyDictKeyEntry fx_key_entry;
PyDictUnicodeEntry fx_unicode_entry;
PyModuleObject fx_module;
PyTypeObject fx_type;
PyHeapTypeObject fx_heaptype;
struct fx_too_big fx_too_big;
