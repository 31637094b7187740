// SPDX-License-Identifier: GPL-2.0
#include "layout.hpp"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

#include "strf.hpp"

namespace pystack {
namespace {

// Bytes to read of a struct so that every 8-byte field at `offsets` is in.
__u32 prefix(const char *type, std::initializer_list<__u32> offsets)
{
	__u32 size = std::max(offsets) + 8;
	if (size > PY_READ_MAX)
		throw std::runtime_error(cfur::strf("%s: the fields pystack reads end at byte %u, past "
						    "the %d it reads at once; not a CPython 3.11 layout",
						    type, size, PY_READ_MAX));
	return size;
}

py_layout read_layout_or_throw(DwarfTypes &t, std::uint64_t runtime)
{
	py_layout l{};
	l.runtime = runtime;
	l.runtime_interp_head = t.offset_of("_PyRuntimeState", "interpreters.head");
	l.interp_threads_head = t.offset_of("PyInterpreterState", "threads.head");
	l.tstate_next = t.offset_of("PyThreadState", "next");
	l.tstate_native_tid = t.offset_of("PyThreadState", "native_thread_id");
	l.tstate_cframe = t.offset_of("PyThreadState", "cframe");
	l.cframe_current_frame = t.offset_of("_PyCFrame", "current_frame");
	l.frame_code = t.offset_of("_PyInterpreterFrame", "f_code");
	l.frame_previous = t.offset_of("_PyInterpreterFrame", "previous");
	l.code_name = t.offset_of("PyCodeObject", "co_name");
	l.code_filename = t.offset_of("PyCodeObject", "co_filename");
	l.str_length = t.offset_of("PyASCIIObject", "length");
	l.str_state = t.offset_of("PyASCIIObject", "state");
	l.ascii_size = t.size_of("PyASCIIObject");
	l.compact_size = t.size_of("PyCompactUnicodeObject");
	__u32 state_bits = l.str_state * 8;
	l.kind_shift = t.bit_offset_of("PyASCIIObject", "state.kind") - state_bits;
	l.compact_shift = t.bit_offset_of("PyASCIIObject", "state.compact") - state_bits;
	l.ascii_shift = t.bit_offset_of("PyASCIIObject", "state.ascii") - state_bits;

	l.runtime_read = prefix("_PyRuntimeState", {l.runtime_interp_head});
	l.interp_read = prefix("PyInterpreterState", {l.interp_threads_head});
	l.tstate_read = prefix("PyThreadState", {l.tstate_next, l.tstate_native_tid, l.tstate_cframe});
	l.cframe_read = prefix("_PyCFrame", {l.cframe_current_frame});
	l.frame_read = prefix("_PyInterpreterFrame", {l.frame_code, l.frame_previous});
	l.code_read = prefix("PyCodeObject", {l.code_name, l.code_filename});
	if (l.ascii_size > PY_READ_MAX || l.str_state + 4 > l.ascii_size ||
	    l.str_length + 8 > l.ascii_size || l.kind_shift > 29 || l.compact_shift > 31 ||
	    l.ascii_shift > 31)
		throw std::runtime_error("PyASCIIObject's layout is not CPython 3.11's");
	return l;
}

} // namespace

py_layout read_layout(DwarfTypes &t, std::uint64_t runtime)
{
	try {
		return read_layout_or_throw(t, runtime);
	} catch (const std::runtime_error &e) {
		throw std::runtime_error(std::string(e.what()) +
					 "; pystack needs the debug information of the running CPython "
					 "3.11 (Debian: python3.11-dbg of the same version)");
	}
}

} // namespace pystack
