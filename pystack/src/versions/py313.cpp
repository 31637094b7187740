// SPDX-License-Identifier: GPL-2.0
// CPython 3.13 (Include/internal/ of 3.13.0): a thread's current frame is
// its own (PyThreadState.current_frame: _PyCFrame is gone); a frame's code
// is f_executable and its instruction instr_ptr, the one it executes (3.12's
// prev_instr was the one before); entry frames on the C stack hold None;
// an instance's values follow the object (Py_TPFLAGS_INLINE_VALUES). And
// _PyRuntime starts with _Py_DebugOffsets, for readers like this one: with
// them pystack needs no debug file and no table.
#include <cstring>
#include <stdexcept>

#include "strf.hpp"
#include "versions.hpp"

namespace pystack {
namespace {

// _Py_DebugOffsets as 3.13.0 lays it out (pycore_runtime.h): a field per
// word, in this order. 3.14 changes it; its own file will say how.
struct DebugOffsets {
	char cookie[8];
	std::uint64_t version, free_threaded;
	struct {
		std::uint64_t size, finalizing, interpreters_head;
	} runtime_state;
	struct {
		std::uint64_t size, id, next, threads_head, gc, imports_modules, sysdict, builtins,
			ceval_gil, gil_runtime_state, gil_runtime_state_enabled,
			gil_runtime_state_locked, gil_runtime_state_holder;
	} interpreter_state;
	struct {
		std::uint64_t size, prev, next, interp, current_frame, thread_id, native_thread_id,
			datastack_chunk, status;
	} thread_state;
	struct {
		std::uint64_t size, previous, executable, instr_ptr, localsplus, owner;
	} interpreter_frame;
	struct {
		std::uint64_t size, filename, name, qualname, linetable, firstlineno, argcount,
			localsplusnames, localspluskinds, co_code_adaptive;
	} code_object;
	struct {
		std::uint64_t size, ob_type;
	} pyobject;
	struct {
		std::uint64_t size, tp_name, tp_repr, tp_flags;
	} type_object;
	struct {
		std::uint64_t size, ob_item, ob_size;
	} tuple_object, list_object;
	struct {
		std::uint64_t size, ma_keys, ma_values;
	} dict_object;
	struct {
		std::uint64_t size, ob_fval;
	} float_object;
	struct {
		std::uint64_t size, lv_tag, ob_digit;
	} long_object;
	struct {
		std::uint64_t size, ob_size, ob_sval;
	} bytes_object;
	struct {
		std::uint64_t size, state, length, asciiobject_size;
	} unicode_object;
	struct {
		std::uint64_t size, collecting;
	} gc;
};

constexpr char kCookie[8] = {'x', 'd', 'e', 'b', 'u', 'g', 'p', 'y'};
constexpr std::uint64_t kMaxStruct = 1 << 20; // no struct pystack reads is larger

// An offset inside a struct of `size` bytes, as a PyOffsets value.
std::uint32_t within(std::uint64_t off, std::uint64_t size, std::uint64_t bytes, const char *what)
{
	if (size == 0 || size > kMaxStruct || off + bytes > size)
		throw std::runtime_error(
			cfur::strf("_Py_DebugOffsets: %s is %llu in a struct of %llu bytes", what,
				   static_cast<unsigned long long>(off),
				   static_cast<unsigned long long>(size)));
	return static_cast<std::uint32_t>(off);
}

DebugOffsets parse(std::span<const std::uint8_t> bytes)
{
	DebugOffsets d;
	if (bytes.size() < sizeof(d))
		throw std::runtime_error("_Py_DebugOffsets: cut short");
	std::memcpy(&d, bytes.data(), sizeof(d));
	if (std::memcmp(d.cookie, kCookie, sizeof(kCookie)) != 0)
		throw std::runtime_error("_PyRuntime does not start with _Py_DebugOffsets' cookie "
					 "\"xdebugpy\"");
	return d;
}

bool free_threaded(std::span<const std::uint8_t> bytes)
{
	return parse(bytes).free_threaded != 0;
}

PyOffsets from_debug_offsets(std::span<const std::uint8_t> bytes, std::uint32_t py_version,
			     const VersionSpec &v)
{
	DebugOffsets d = parse(bytes);
	if ((d.version >> 16) != (py_version >> 16))
		throw std::runtime_error(cfur::strf("_Py_DebugOffsets are of version 0x%llx, the "
						    "interpreter's Py_Version is 0x%x",
						    static_cast<unsigned long long>(d.version),
						    py_version));
	// 3.13's alphas and first release candidate laid them out otherwise
	if ((py_version & 0xf0) != 0xf0)
		throw std::runtime_error(cfur::strf("Py_Version 0x%x is a pre-release: its "
						    "_Py_DebugOffsets may not be 3.13.0's",
						    py_version));
	PyOffsets o;
#define PY_ABSENT(field, kind, type, member) o.field = kAbsent;
	PY_OFFSETS(PY_ABSENT)
#undef PY_ABSENT
	for (const FieldValue &c : v.constants)
		o.*c.field = c.value;
	const auto &rt = d.runtime_state;
	const auto &is = d.interpreter_state;
	const auto &ts = d.thread_state;
	const auto &fr = d.interpreter_frame;
	const auto &co = d.code_object;
	const auto &uo = d.unicode_object;
	// struct pyinterpreters { PyMutex mutex; head; main; ... }
	o.runtime_interp_main = within(rt.interpreters_head + 8, rt.size, 8, "interpreters.main");
	o.interp_threads_head = within(is.threads_head, is.size, 8, "threads.head");
	o.interp_modules = within(is.imports_modules, is.size, 8, "imports.modules");
	o.interp_gil_locked = within(is.gil_runtime_state_locked, is.size, 4, "_gil.locked");
	o.interp_gil_holder = within(is.gil_runtime_state_holder, is.size, 8, "_gil.last_holder");
	o.tstate_next = within(ts.next, ts.size, 8, "next");
	o.tstate_interp = within(ts.interp, ts.size, 8, "interp");
	o.tstate_thread_id = within(ts.thread_id, ts.size, 8, "thread_id");
	o.tstate_native_tid = within(ts.native_thread_id, ts.size, 8, "native_thread_id");
	o.tstate_current_frame = within(ts.current_frame, ts.size, 8, "current_frame");
	o.tstate_chunk = within(ts.datastack_chunk, ts.size, 8, "datastack_chunk");
	// datastack_top follows datastack_chunk in every version since 3.11
	o.tstate_stack_top = within(ts.datastack_chunk + 8, ts.size, 8, "datastack_top");
	o.frame_code = within(fr.executable, fr.size, 8, "f_executable");
	o.frame_previous = within(fr.previous, fr.size, 8, "previous");
	o.frame_prev_instr = within(fr.instr_ptr, fr.size, 8, "instr_ptr");
	o.frame_localsplus = within(fr.localsplus, fr.size + 8, 8, "localsplus");
	o.frame_owner = within(fr.owner, fr.size, 1, "owner");
	o.object_type = within(d.pyobject.ob_type, d.pyobject.size, 8, "ob_type");
	o.var_size = within(d.bytes_object.ob_size, d.bytes_object.size, 8, "ob_size");
	o.code_filename = within(co.filename, co.size, 8, "co_filename");
	o.code_name = within(co.name, co.size, 8, "co_name");
	o.code_qualname = within(co.qualname, co.size, 8, "co_qualname");
	o.code_linetable = within(co.linetable, co.size, 8, "co_linetable");
	o.code_firstlineno = within(co.firstlineno, co.size, 4, "co_firstlineno");
	o.code_localsplusnames = within(co.localsplusnames, co.size, 8, "co_localsplusnames");
	o.code_adaptive = within(co.co_code_adaptive, co.size + 8, 2, "co_code_adaptive");
	o.bytes_data = within(d.bytes_object.ob_sval, d.bytes_object.size + 8, 1, "ob_sval");
	o.str_length = within(uo.length, uo.size, 8, "length");
	o.str_state = within(uo.state, uo.size, 4, "state");
	o.ascii_size = within(uo.asciiobject_size, kMaxStruct, 0, "sizeof(PyASCIIObject)");
	// PyCompactUnicodeObject: the ASCII header, utf8_length, utf8
	o.compact_size = o.ascii_size + 16;
	// state: interned:2, kind:3, compact:1, ascii:1 from its lowest bit
	o.str_kind_bit = o.str_state * 8 + 2;
	o.str_compact_bit = o.str_state * 8 + 5;
	o.str_ascii_bit = o.str_state * 8 + 6;
	o.long_tag = within(d.long_object.lv_tag, d.long_object.size, 8, "lv_tag");
	o.long_digits = within(d.long_object.ob_digit, d.long_object.size + 8, 4, "ob_digit");
	o.dict_keys = within(d.dict_object.ma_keys, d.dict_object.size, 8, "ma_keys");
	o.dict_values = within(d.dict_object.ma_values, d.dict_object.size, 8, "ma_values");
	o.type_flags = within(d.type_object.tp_flags, d.type_object.size, 8, "tp_flags");
	return o;
}

} // namespace

const VersionSpec &py313()
{
	static const VersionSpec v = [] {
		VersionSpec v;
		v.minor = 13;
		v.name = "3.13";
		v.names = {
			{&PyOffsets::runtime_gil_locked, "", nullptr, ""},
			{&PyOffsets::runtime_gil_holder, "", nullptr, ""},
			{&PyOffsets::tstate_cframe, "", nullptr, ""},
			{&PyOffsets::cframe_current_frame, "", nullptr, ""},
			{&PyOffsets::interp_modules, "offset", "PyInterpreterState", "imports.modules"},
			{&PyOffsets::frame_code, "offset", "_PyInterpreterFrame", "f_executable"},
			{&PyOffsets::frame_prev_instr, "offset", "_PyInterpreterFrame", "instr_ptr"},
			{&PyOffsets::long_digits, "offset", "PyLongObject", "long_value.ob_digit"},
		};
		v.cstack_owner = 3; // FRAME_OWNED_BY_CSTACK
		v.managed_dict = ManagedDict::inline_values;
		v.inline_values_flag = 1ULL << 2;
		v.debug_offsets_size = sizeof(DebugOffsets);
		v.from_debug_offsets = from_debug_offsets;
		v.free_threaded = free_threaded;
		// What _Py_DebugOffsets do not give, from 3.13's headers; the
		// unit tests check them against the DWARF of pyenv's 3.13.0.
		v.constants = {
			{&PyOffsets::code_firsttraceable, 184},
			{&PyOffsets::chunk_previous, 0},
			{&PyOffsets::chunk_size, 8},
			{&PyOffsets::chunk_top, 16},
			{&PyOffsets::chunk_data, 24},
			{&PyOffsets::keys_log2_size, 8},
			{&PyOffsets::keys_log2_index_bytes, 9},
			{&PyOffsets::keys_kind, 10},
			{&PyOffsets::keys_nentries, 24},
			{&PyOffsets::keys_indices, 32},
			{&PyOffsets::key_entry_size, 24},
			{&PyOffsets::key_entry_key, 8},
			{&PyOffsets::key_entry_value, 16},
			{&PyOffsets::unicode_entry_size, 16},
			{&PyOffsets::unicode_entry_key, 0},
			{&PyOffsets::unicode_entry_value, 8},
			{&PyOffsets::module_dict, 16},
			{&PyOffsets::heaptype_cached_keys, 880},
		};
		return v;
	}();
	return v;
}

} // namespace pystack
