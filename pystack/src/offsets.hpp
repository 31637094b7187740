// SPDX-License-Identifier: GPL-2.0
// Every size, member offset and bit position of CPython that pystack uses,
// by name: read from DWARF (read_offsets, with the names of the target's
// version: versions.hpp), taken from a table generated at build time
// (layout_tables.hpp) or from the target's own _Py_DebugOffsets (3.13),
// then turned into the walk's struct py_layout (make_walk_layout).
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <limits>
#include <string>

#include "pystack_layout.h"

namespace pystack {

// X(field, kind, type, member): kind is offset (offsetof(type, member)),
// size (sizeof(type)) or bit (the bit position of a bit-field member).
// The names are those of the first version that has the field; a version
// that names it otherwise, or lacks it, says so (versions/py3*.cpp).
#define PY_OFFSETS(X)                                                               \
	X(runtime_interp_main, offset, "_PyRuntimeState", "interpreters.main")      \
	X(runtime_main_thread, offset, "_PyRuntimeState", "main_thread")            \
	X(runtime_gil_locked, offset, "_PyRuntimeState", "ceval.gil.locked")        \
	X(runtime_gil_holder, offset, "_PyRuntimeState", "ceval.gil.last_holder")   \
	X(interp_gil_locked, offset, "PyInterpreterState", "_gil.locked")           \
	X(interp_gil_holder, offset, "PyInterpreterState", "_gil.last_holder")      \
	X(interp_threads_head, offset, "PyInterpreterState", "threads.head")        \
	X(interp_runtime, offset, "PyInterpreterState", "runtime")                  \
	X(interp_modules, offset, "PyInterpreterState", "modules")                  \
	X(tstate_next, offset, "PyThreadState", "next")                             \
	X(tstate_interp, offset, "PyThreadState", "interp")                         \
	X(tstate_thread_id, offset, "PyThreadState", "thread_id")                   \
	X(tstate_native_tid, offset, "PyThreadState", "native_thread_id")           \
	X(tstate_cframe, offset, "PyThreadState", "cframe")                         \
	X(tstate_current_frame, offset, "PyThreadState", "current_frame")           \
	X(tstate_chunk, offset, "PyThreadState", "datastack_chunk")                 \
	X(tstate_stack_top, offset, "PyThreadState", "datastack_top")               \
	X(cframe_current_frame, offset, "_PyCFrame", "current_frame")               \
	X(chunk_previous, offset, "_PyStackChunk", "previous")                      \
	X(chunk_size, offset, "_PyStackChunk", "size")                              \
	X(chunk_top, offset, "_PyStackChunk", "top")                                \
	X(chunk_data, offset, "_PyStackChunk", "data")                              \
	X(frame_code, offset, "_PyInterpreterFrame", "f_code")                      \
	X(frame_previous, offset, "_PyInterpreterFrame", "previous")                \
	X(frame_prev_instr, offset, "_PyInterpreterFrame", "prev_instr")            \
	X(frame_localsplus, offset, "_PyInterpreterFrame", "localsplus")            \
	X(frame_owner, offset, "_PyInterpreterFrame", "owner")                      \
	X(object_type, offset, "PyObject", "ob_type")                               \
	X(var_size, offset, "PyVarObject", "ob_size")                               \
	X(code_consts, offset, "PyCodeObject", "co_consts")                         \
	X(code_names, offset, "PyCodeObject", "co_names")                           \
	X(code_exceptiontable, offset, "PyCodeObject", "co_exceptiontable")         \
	X(code_localsplusnames, offset, "PyCodeObject", "co_localsplusnames")       \
	X(code_filename, offset, "PyCodeObject", "co_filename")                     \
	X(code_name, offset, "PyCodeObject", "co_name")                             \
	X(code_qualname, offset, "PyCodeObject", "co_qualname")                     \
	X(code_linetable, offset, "PyCodeObject", "co_linetable")                   \
	X(code_firstlineno, offset, "PyCodeObject", "co_firstlineno")               \
	X(code_firsttraceable, offset, "PyCodeObject", "_co_firsttraceable")        \
	X(code_adaptive, offset, "PyCodeObject", "co_code_adaptive")                \
	X(bytes_data, offset, "PyBytesObject", "ob_sval")                           \
	X(str_length, offset, "PyASCIIObject", "length")                            \
	X(str_state, offset, "PyASCIIObject", "state")                              \
	X(ascii_size, size, "PyASCIIObject", "")                                    \
	X(compact_size, size, "PyCompactUnicodeObject", "")                         \
	X(str_kind_bit, bit, "PyASCIIObject", "state.kind")                         \
	X(str_compact_bit, bit, "PyASCIIObject", "state.compact")                   \
	X(str_ascii_bit, bit, "PyASCIIObject", "state.ascii")                       \
	X(long_digits, offset, "PyLongObject", "ob_digit")                          \
	X(long_tag, offset, "PyLongObject", "long_value.lv_tag")                    \
	X(dict_keys, offset, "PyDictObject", "ma_keys")                             \
	X(dict_values, offset, "PyDictObject", "ma_values")                         \
	X(keys_log2_size, offset, "PyDictKeysObject", "dk_log2_size")               \
	X(keys_log2_index_bytes, offset, "PyDictKeysObject", "dk_log2_index_bytes") \
	X(keys_kind, offset, "PyDictKeysObject", "dk_kind")                         \
	X(keys_nentries, offset, "PyDictKeysObject", "dk_nentries")                 \
	X(keys_indices, offset, "PyDictKeysObject", "dk_indices")                   \
	X(key_entry_size, size, "PyDictKeyEntry", "")                               \
	X(key_entry_key, offset, "PyDictKeyEntry", "me_key")                        \
	X(key_entry_value, offset, "PyDictKeyEntry", "me_value")                    \
	X(unicode_entry_size, size, "PyDictUnicodeEntry", "")                       \
	X(unicode_entry_key, offset, "PyDictUnicodeEntry", "me_key")                \
	X(unicode_entry_value, offset, "PyDictUnicodeEntry", "me_value")            \
	X(module_dict, offset, "PyModuleObject", "md_dict")                         \
	X(type_flags, offset, "PyTypeObject", "tp_flags")                           \
	X(heaptype_cached_keys, offset, "PyHeapTypeObject", "ht_cached_keys")

// A field the version does not have.
inline constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();

struct PyOffsets {
#define PY_OFFSET_FIELD(field, kind, type, member) std::uint32_t field = 0;
	PY_OFFSETS(PY_OFFSET_FIELD)
#undef PY_OFFSET_FIELD
	bool operator==(const PyOffsets &) const = default;
	static bool has(std::uint32_t field)
	{
		return field != kAbsent;
	}
};

// "type.member = value" per field, one a line: what a mismatch shows.
std::string describe(const PyOffsets &o);

struct VersionSpec;

// The walk's layout: the offsets, the part of each struct a read covers,
// the addresses of _PyRuntime and PyCode_Type (0: not checked) in the
// target. Throws std::runtime_error if a part would not fit a read.
py_layout make_walk_layout(const PyOffsets &o, const VersionSpec &v, std::uint64_t runtime,
			   std::uint64_t code_type);

} // namespace pystack
