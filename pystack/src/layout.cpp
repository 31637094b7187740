// SPDX-License-Identifier: GPL-2.0
#include "layout.hpp"

#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <stdexcept>

#include "strf.hpp"

namespace pystack {
namespace {

std::uint32_t read_one(DwarfTypes &t, const char *kind, const char *type, const char *member)
{
	std::string k = kind;
	if (k == "size")
		return t.size_of(type);
	if (k == "bit")
		return t.bit_offset_of(type, member);
	return t.offset_of(type, member);
}

// Bytes to read of a struct so that every 8-byte field at `offsets` is in.
__u32 prefix(const char *type, std::initializer_list<__u32> offsets, __u32 limit = PY_READ_MAX)
{
	__u32 size = std::max(offsets) + 8;
	if (size > limit)
		throw std::runtime_error(cfur::strf("%s: the fields pystack reads end at byte %u, past "
						    "the %u it reads at once; not a CPython 3.11 layout",
						    type, size, limit));
	return size;
}

} // namespace

PyOffsets read_offsets(DwarfTypes &t)
{
	PyOffsets o;
	try {
#define PY_READ_FIELD(field, kind, type, member) o.field = read_one(t, #kind, type, member);
		PY_OFFSETS(PY_READ_FIELD)
#undef PY_READ_FIELD
	} catch (const std::runtime_error &e) {
		throw std::runtime_error(std::string(e.what()) +
					 "; pystack needs the debug information of the running CPython "
					 "3.11 (Debian: python3.11-dbg of the same version)");
	}
	return o;
}

std::string describe(const PyOffsets &o)
{
	std::ostringstream out;
#define PY_DESCRIBE_FIELD(field, kind, type, member)                                            \
	out << #kind << ' ' << type << (*member ? "." : "") << member << " = " << o.field << '\n';
	PY_OFFSETS(PY_DESCRIBE_FIELD)
#undef PY_DESCRIBE_FIELD
	return out.str();
}

py_layout make_walk_layout(const PyOffsets &o, std::uint64_t runtime, std::uint64_t code_type)
{
	py_layout l{};
	l.runtime = runtime;
	l.code_type = code_type;
	l.runtime_interp = o.runtime_interp_main;
	l.runtime_main_thread = o.runtime_main_thread;
	l.runtime_gil_locked = o.runtime_gil_locked;
	l.runtime_gil_holder = o.runtime_gil_holder;
	l.interp_threads_head = o.interp_threads_head;
	l.tstate_next = o.tstate_next;
	l.tstate_interp = o.tstate_interp;
	l.tstate_thread_id = o.tstate_thread_id;
	l.tstate_native_tid = o.tstate_native_tid;
	l.tstate_cframe = o.tstate_cframe;
	l.tstate_chunk = o.tstate_chunk;
	l.tstate_stack_top = o.tstate_stack_top;
	l.cframe_current_frame = o.cframe_current_frame;
	l.chunk_previous = o.chunk_previous;
	l.chunk_size = o.chunk_size;
	l.chunk_top = o.chunk_top;
	l.chunk_data = o.chunk_data;
	l.frame_code = o.frame_code;
	l.frame_previous = o.frame_previous;
	l.frame_prev_instr = o.frame_prev_instr;
	// the words that tell one code object from another: none of them
	// changes while the object lives
	const __u32 ids[PY_CODE_IDS] = {o.object_type,	      o.code_consts,   o.code_names,
					o.code_exceptiontable, o.code_localsplusnames,
					o.code_filename,       o.code_name,     o.code_linetable};
	std::copy(std::begin(ids), std::end(ids), l.code_ids);
	l.code_name = o.code_name;
	l.code_filename = o.code_filename;
	l.code_linetable = o.code_linetable;
	l.code_firstlineno = o.code_firstlineno;
	l.code_adaptive = o.code_adaptive;
	l.code_size = o.var_size;
	__u32 lo = *std::min_element(std::begin(ids), std::end(ids));
	l.code_lo = std::min({lo, o.code_firstlineno, o.var_size});
	l.code_read = prefix("PyCodeObject", {*std::max_element(std::begin(ids), std::end(ids)),
					      o.code_firstlineno, o.var_size}) -
		      l.code_lo;
	l.bytes_size = o.var_size;
	l.bytes_data = o.bytes_data;
	l.str_length = o.str_length;
	l.str_state = o.str_state;
	l.ascii_size = o.ascii_size;
	l.compact_size = o.compact_size;
	__u32 state_bits = o.str_state * 8;
	l.kind_shift = o.str_kind_bit - state_bits;
	l.compact_shift = o.str_compact_bit - state_bits;
	l.ascii_shift = o.str_ascii_bit - state_bits;

	l.runtime_read = prefix("_PyRuntimeState", {l.runtime_interp, l.runtime_main_thread,
						    l.runtime_gil_locked, l.runtime_gil_holder});
	l.interp_read = prefix("PyInterpreterState", {l.interp_threads_head});
	l.tstate_read = prefix("PyThreadState", {l.tstate_next, l.tstate_interp, l.tstate_thread_id,
						 l.tstate_native_tid, l.tstate_cframe, l.tstate_chunk,
						 l.tstate_stack_top});
	l.cframe_read = prefix("_PyCFrame", {l.cframe_current_frame});
	l.frame_read = prefix("_PyInterpreterFrame", {l.frame_code, l.frame_previous, l.frame_prev_instr});
	if (l.chunk_data > PY_READ_MAX || l.chunk_previous + 8 > l.chunk_data ||
	    l.chunk_size + 8 > l.chunk_data || l.chunk_top + 8 > l.chunk_data)
		throw std::runtime_error("_PyStackChunk's layout is not CPython 3.11's");
	if (l.bytes_data > PY_READ_MAX || l.bytes_size + 8 > l.bytes_data)
		throw std::runtime_error("PyBytesObject's layout is not CPython 3.11's");
	if (l.ascii_size > PY_READ_MAX || l.str_state + 4 > l.ascii_size ||
	    l.str_length + 8 > l.ascii_size || l.kind_shift > 29 || l.compact_shift > 31 ||
	    l.ascii_shift > 31)
		throw std::runtime_error("PyASCIIObject's layout is not CPython 3.11's");
	return l;
}

} // namespace pystack
