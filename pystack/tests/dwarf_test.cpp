// SPDX-License-Identifier: GPL-2.0
// The DWARF reader and the offsets it gives, against fixture.so, whose
// types have CPython's names and a layout of their own; the walk layout
// made of the offsets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "dwarf_types.hpp"
#include "fixture.h"
#include "layout.hpp"
#include "test_util.hpp"

#ifndef FIXTURE_OBJ
#error "build with -DFIXTURE_OBJ=\"path/to/fixture.so\""
#endif

using namespace pystack;
using pystack::test::error_of;

namespace {

// The lowest bit a bit-field occupies in the 32-bit word at `state`.
template <typename Set>
unsigned state_shift(Set set)
{
	PyASCIIObject o;
	std::memset(&o, 0, sizeof(o));
	set(o);
	std::uint32_t word;
	std::memcpy(&word, &o.state, sizeof(word));
	return static_cast<unsigned>(__builtin_ctz(word));
}

// What read_offsets must find in fixture.so.
PyOffsets fixture_offsets()
{
	PyOffsets o;
	o.runtime_interp_main =
		offsetof(_PyRuntimeState, interpreters) + offsetof(fx_interpreters, main);
	o.runtime_main_thread = offsetof(_PyRuntimeState, main_thread);
	o.runtime_gil_locked = offsetof(_PyRuntimeState, ceval.gil.locked);
	o.runtime_gil_holder = offsetof(_PyRuntimeState, ceval.gil.last_holder);
	// what 3.12 and 3.13 have and 3.11 has not
	o.interp_gil_locked = o.interp_gil_holder = o.tstate_current_frame = kAbsent;
	o.long_tag = kAbsent;
	o.interp_threads_head = offsetof(PyInterpreterState, threads.head);
	o.interp_runtime = offsetof(PyInterpreterState, runtime);
	o.interp_modules = offsetof(PyInterpreterState, modules);
	o.tstate_next = offsetof(PyThreadState, next);
	o.tstate_interp = offsetof(PyThreadState, interp);
	o.tstate_thread_id = offsetof(PyThreadState, thread_id);
	o.tstate_native_tid = offsetof(PyThreadState, native_thread_id);
	o.tstate_cframe = offsetof(PyThreadState, cframe);
	o.tstate_chunk = offsetof(PyThreadState, datastack_chunk);
	o.tstate_stack_top = offsetof(PyThreadState, datastack_top);
	o.cframe_current_frame = offsetof(_PyCFrame, current_frame);
	o.chunk_previous = offsetof(_PyStackChunk, previous);
	o.chunk_size = offsetof(_PyStackChunk, size);
	o.chunk_top = offsetof(_PyStackChunk, top);
	o.chunk_data = offsetof(_PyStackChunk, data);
	o.frame_code = offsetof(_PyInterpreterFrame, f_code);
	o.frame_previous = offsetof(_PyInterpreterFrame, previous);
	o.frame_prev_instr = offsetof(_PyInterpreterFrame, prev_instr);
	o.frame_localsplus = offsetof(_PyInterpreterFrame, localsplus);
	o.frame_owner = offsetof(_PyInterpreterFrame, owner);
	o.object_type = offsetof(PyObject, ob_type);
	o.var_size = offsetof(PyVarObject, ob_size);
	o.code_consts = offsetof(PyCodeObject, co_consts);
	o.code_names = offsetof(PyCodeObject, co_names);
	o.code_exceptiontable = offsetof(PyCodeObject, co_exceptiontable);
	o.code_localsplusnames = offsetof(PyCodeObject, co_localsplusnames);
	o.code_filename = offsetof(PyCodeObject, co_filename);
	o.code_name = offsetof(PyCodeObject, co_name);
	o.code_qualname = offsetof(PyCodeObject, co_qualname);
	o.code_linetable = offsetof(PyCodeObject, co_linetable);
	o.code_firstlineno = offsetof(PyCodeObject, co_firstlineno);
	o.code_firsttraceable = offsetof(PyCodeObject, _co_firsttraceable);
	o.code_adaptive = offsetof(PyCodeObject, co_code_adaptive);
	o.bytes_data = offsetof(PyBytesObject, ob_sval);
	o.str_length = offsetof(PyASCIIObject, length);
	o.str_state = offsetof(PyASCIIObject, state);
	o.ascii_size = sizeof(PyASCIIObject);
	o.compact_size = sizeof(PyCompactUnicodeObject);
	std::uint32_t state = offsetof(PyASCIIObject, state) * 8;
	o.str_kind_bit = state + state_shift([](PyASCIIObject &a) { a.state.kind = 7; });
	o.str_compact_bit = state + state_shift([](PyASCIIObject &a) { a.state.compact = 1; });
	o.str_ascii_bit = state + state_shift([](PyASCIIObject &a) { a.state.ascii = 1; });
	o.long_digits = offsetof(PyLongObject, ob_digit);
	o.dict_keys = offsetof(PyDictObject, ma_keys);
	o.dict_values = offsetof(PyDictObject, ma_values);
	o.keys_log2_size = offsetof(PyDictKeysObject, dk_log2_size);
	o.keys_log2_index_bytes = offsetof(PyDictKeysObject, dk_log2_index_bytes);
	o.keys_kind = offsetof(PyDictKeysObject, dk_kind);
	o.keys_nentries = offsetof(PyDictKeysObject, dk_nentries);
	o.keys_indices = offsetof(PyDictKeysObject, dk_indices);
	o.key_entry_size = sizeof(PyDictKeyEntry);
	o.key_entry_key = offsetof(PyDictKeyEntry, me_key);
	o.key_entry_value = offsetof(PyDictKeyEntry, me_value);
	o.unicode_entry_size = sizeof(PyDictUnicodeEntry);
	o.unicode_entry_key = offsetof(PyDictUnicodeEntry, me_key);
	o.unicode_entry_value = offsetof(PyDictUnicodeEntry, me_value);
	o.module_dict = offsetof(PyModuleObject, md_dict);
	o.type_flags = offsetof(PyTypeObject, tp_flags);
	o.heaptype_cached_keys = offsetof(PyHeapTypeObject, ht_cached_keys);
	return o;
}

} // namespace

TEST(DwarfTypes, SizesAndOffsetsMatchTheCompiler)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(t.size_of("PyASCIIObject"), sizeof(PyASCIIObject));
	EXPECT_EQ(t.size_of("PyCompactUnicodeObject"), sizeof(PyCompactUnicodeObject));
	EXPECT_EQ(t.size_of("pyruntimestate"), sizeof(_PyRuntimeState));
	EXPECT_EQ(t.offset_of("PyCodeObject", "co_name"), offsetof(PyCodeObject, co_name));
	EXPECT_EQ(t.offset_of("_PyInterpreterFrame", "previous"),
		  offsetof(_PyInterpreterFrame, previous));
}

TEST(DwarfTypes, NestedPathsAddUp)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(t.offset_of("_PyRuntimeState", "interpreters.head"),
		  offsetof(_PyRuntimeState, interpreters) + offsetof(fx_interpreters, head));
	EXPECT_EQ(t.offset_of("_PyRuntimeState", "ceval.gil.last_holder"),
		  offsetof(_PyRuntimeState, ceval.gil.last_holder));
}

TEST(DwarfTypes, FindsMembersOfAnonymousUnions)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(t.offset_of("PyThreadState", "cframe"), offsetof(PyThreadState, cframe));
}

TEST(DwarfTypes, BitFieldsCountFromTheLeastSignificantBit)
{
	DwarfTypes t(FIXTURE_OBJ);
	std::uint32_t base = offsetof(PyASCIIObject, state) * 8;
	EXPECT_EQ(t.bit_offset_of("PyASCIIObject", "state.kind") - base,
		  state_shift([](PyASCIIObject &o) { o.state.kind = 7; }));
	EXPECT_EQ(t.bit_offset_of("PyASCIIObject", "state.ascii") - base,
		  state_shift([](PyASCIIObject &o) { o.state.ascii = 1; }));
	EXPECT_NE(error_of([&] { t.offset_of("PyASCIIObject", "state.kind"); }).find("bit-field"),
		  std::string::npos);
}

TEST(DwarfTypes, MissingTypesAndMembersAreNamed)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_NE(error_of([&] { t.size_of("NoSuchType"); }).find("has no type NoSuchType"),
		  std::string::npos);
	EXPECT_NE(error_of([&] {
			  t.offset_of("PyThreadState", "cframes");
		  }).find("has no member PyThreadState.cframes"),
		  std::string::npos);
	EXPECT_NE(error_of([&] {
			  t.offset_of("PyThreadState", "thread_id.x");
		  }).find("PyThreadState.thread_id"),
		  std::string::npos);
	EXPECT_NE(error_of([] { DwarfTypes d("/nonexistent/file"); }).find("cannot open"),
		  std::string::npos);
}

TEST(Offsets, EveryOneComesFromTheDebugInformation)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(describe(read_offsets(t, py311())), describe(fixture_offsets()));
}

TEST(Offsets, TheWalkLayoutReadsPrefixesThatHoldEveryField)
{
	PyOffsets o = fixture_offsets();
	py_layout l = make_walk_layout(o, py311(), 0x1000, 0x2000);
	EXPECT_EQ(l.runtime, 0x1000u);
	EXPECT_EQ(l.code_type, 0x2000u);
	EXPECT_EQ(l.runtime_interp, o.runtime_interp_main);
	EXPECT_EQ(l.runtime_lo,
		  std::min({o.runtime_interp_main, o.runtime_gil_holder, o.runtime_gil_locked}));
	EXPECT_EQ(l.runtime_lo + l.runtime_read,
		  std::max({o.runtime_interp_main, o.runtime_gil_holder, o.runtime_gil_locked}) + 8);
	EXPECT_EQ(l.gil_in_interp, 0u);
	EXPECT_EQ(l.frame_in_tstate, 0u);
	EXPECT_EQ(l.cstack_owner, 0u);
	EXPECT_EQ(l.tstate_lo + l.tstate_read, o.tstate_stack_top + 8);
	EXPECT_EQ(l.frame_read, std::max(o.frame_prev_instr, o.frame_owner) + 8);
	// the code object's identifying words, ob_type first, all in one read
	EXPECT_EQ(l.code_ids[0], o.object_type);
	EXPECT_EQ(l.code_lo, o.object_type);
	EXPECT_EQ(l.code_lo + l.code_read, o.code_linetable + 8);
	EXPECT_EQ(l.kind_shift, 2u);
	EXPECT_EQ(l.compact_shift, 5u);
	EXPECT_EQ(l.ascii_shift, 6u);
}

TEST(Offsets, ALayoutPastWhatIsReadAtOnceIsRefused)
{
	PyOffsets o = fixture_offsets();
	o.tstate_stack_top = 1100;
	EXPECT_NE(error_of([&] { make_walk_layout(o, py311(), 0, 0); }).find("not a CPython 3.11 layout"),
		  std::string::npos);
}
