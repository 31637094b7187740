// SPDX-License-Identifier: GPL-2.0
/* Puts fixture.h's types into this object's DWARF. */
#include "fixture.h"

_PyRuntimeState fx_runtime;
PyInterpreterState fx_interp;
PyThreadState fx_tstate;
_PyCFrame fx_cframe;
struct _PyInterpreterFrame fx_frame;
PyCodeObject fx_code;
PyASCIIObject fx_ascii;
PyCompactUnicodeObject fx_compact;
struct fx_too_big fx_too_big;
