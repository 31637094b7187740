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

// The version's own name for a field, if it renames or lacks it.
const FieldName *renamed(const VersionSpec &v, std::uint32_t PyOffsets::*field)
{
	for (const FieldName &n : v.names)
		if (n.field == field)
			return &n;
	return nullptr;
}

// Bytes [lo, end) of a struct that hold every 8-byte field at `offsets`
// (kAbsent ones left out), at most `limit` of them.
struct Part {
	__u32 lo, size;
};

Part part(const char *type, std::initializer_list<__u32> offsets, const VersionSpec &v,
	  __u32 limit = PY_READ_MAX)
{
	__u32 lo = kAbsent, hi = 0;
	for (__u32 off : offsets)
		if (PyOffsets::has(off)) {
			lo = std::min(lo, off);
			hi = std::max(hi, off + 8);
		}
	if (hi == 0)
		throw std::runtime_error(cfur::strf("%s: none of the fields pystack reads", type));
	if (hi - lo > limit)
		throw std::runtime_error(cfur::strf("%s: the fields pystack reads span bytes %u to %u, "
						    "more than the %u it reads at once; not a CPython "
						    "%s layout",
						    type, lo, hi, limit, v.name));
	return {lo, hi - lo};
}

// Those words of a code object, among `ids`, that the version has:
// PY_CODE_IDS of them, the last repeated if there are fewer.
void code_ids(py_layout &l, std::initializer_list<__u32> ids)
{
	__u32 n = 0;
	for (__u32 off : ids)
		if (PyOffsets::has(off) && n < PY_CODE_IDS)
			l.code_ids[n++] = off;
	for (__u32 i = n; i < PY_CODE_IDS && n; i++)
		l.code_ids[i] = l.code_ids[n - 1];
}

} // namespace

PyOffsets read_offsets(DwarfTypes &t, const VersionSpec &v)
{
	PyOffsets o;
	try {
#define PY_READ_FIELD(field, kind_, type_, member_)                                     \
	if (const FieldName *n = renamed(v, &PyOffsets::field))                         \
		o.field = n->type ? read_one(t, n->kind, n->type, n->member) : kAbsent; \
	else                                                                            \
		o.field = read_one(t, #kind_, type_, member_);
		PY_OFFSETS(PY_READ_FIELD)
#undef PY_READ_FIELD
	} catch (const std::runtime_error &e) {
		throw std::runtime_error(std::string(e.what()) +
					 "; pystack needs the debug information "
					 "of the running CPython " +
					 v.name + " (Debian: python" + v.name +
					 "-dbg of the same version)");
	}
	return o;
}

std::string describe(const PyOffsets &o)
{
	std::ostringstream out;
#define PY_DESCRIBE_FIELD(field, kind, type, member)                            \
	out << #kind << ' ' << type << (*member ? "." : "") << member << " = "; \
	if (PyOffsets::has(o.field))                                            \
		out << o.field << '\n';                                         \
	else                                                                    \
		out << "absent\n";
	PY_OFFSETS(PY_DESCRIBE_FIELD)
#undef PY_DESCRIBE_FIELD
	return out.str();
}

py_layout make_walk_layout(const PyOffsets &o, const VersionSpec &v, std::uint64_t runtime,
			   std::uint64_t code_type)
{
	py_layout l{};
	l.runtime = runtime;
	l.code_type = code_type;
	l.runtime_interp = o.runtime_interp_main;
	l.gil_in_interp = PyOffsets::has(o.interp_gil_locked);
	l.gil_locked = l.gil_in_interp ? o.interp_gil_locked : o.runtime_gil_locked;
	l.gil_holder = l.gil_in_interp ? o.interp_gil_holder : o.runtime_gil_holder;
	l.interp_threads_head = o.interp_threads_head;
	l.tstate_next = o.tstate_next;
	l.tstate_interp = o.tstate_interp;
	l.tstate_thread_id = o.tstate_thread_id;
	l.tstate_native_tid = o.tstate_native_tid;
	l.frame_in_tstate = PyOffsets::has(o.tstate_current_frame);
	l.tstate_cframe = l.frame_in_tstate ? kAbsent : o.tstate_cframe;
	l.tstate_current_frame = l.frame_in_tstate ? o.tstate_current_frame : kAbsent;
	l.tstate_chunk = o.tstate_chunk;
	l.tstate_stack_top = o.tstate_stack_top;
	l.cframe_current_frame = l.frame_in_tstate ? 0 : o.cframe_current_frame;
	l.chunk_previous = o.chunk_previous;
	l.chunk_size = o.chunk_size;
	l.chunk_top = o.chunk_top;
	l.chunk_data = o.chunk_data;
	l.frame_code = o.frame_code;
	l.frame_previous = o.frame_previous;
	l.frame_prev_instr = o.frame_prev_instr;
	l.cstack_owner = v.cstack_owner;
	l.frame_owner = PyOffsets::has(o.frame_owner) ? o.frame_owner : 0;
	if (v.cstack_owner && !PyOffsets::has(o.frame_owner))
		throw std::runtime_error(cfur::strf("CPython %s: no _PyInterpreterFrame.owner", v.name));
	// the words that tell one code object from another: none of them
	// changes while the object lives
	code_ids(l, {o.object_type, o.code_consts, o.code_names, o.code_exceptiontable,
		     o.code_localsplusnames, o.code_filename, o.code_name, o.code_linetable,
		     o.code_qualname});
	l.code_name = o.code_name;
	l.code_filename = o.code_filename;
	l.code_linetable = o.code_linetable;
	l.code_firstlineno = o.code_firstlineno;
	l.code_adaptive = o.code_adaptive;
	l.code_size = o.var_size;
	l.code_firsttraceable = PyOffsets::has(o.code_firsttraceable) ? o.code_firsttraceable : 0;
	l.code_qualname = PyOffsets::has(o.code_qualname) ? o.code_qualname : 0;
	Part code = part("PyCodeObject",
			 {l.code_ids[0], l.code_ids[1], l.code_ids[2], l.code_ids[3], l.code_ids[4],
			  l.code_ids[5], l.code_ids[6], l.code_ids[7], o.code_firstlineno,
			  o.var_size, o.code_firsttraceable, o.code_qualname},
			 v);
	l.code_lo = code.lo;
	l.code_read = code.size;
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

	Part rt = part("_PyRuntimeState",
		       {l.runtime_interp, l.gil_in_interp ? kAbsent : l.gil_locked,
			l.gil_in_interp ? kAbsent : l.gil_holder},
		       v);
	l.runtime_lo = rt.lo;
	l.runtime_read = rt.size;
	Part in = part("PyInterpreterState",
		       {l.interp_threads_head, l.gil_in_interp ? l.gil_locked : kAbsent,
			l.gil_in_interp ? l.gil_holder : kAbsent},
		       v);
	l.interp_lo = in.lo;
	l.interp_read = in.size;
	Part ts = part("PyThreadState",
		       {l.tstate_next, l.tstate_interp, l.tstate_thread_id, l.tstate_native_tid,
			l.tstate_cframe, l.tstate_current_frame, l.tstate_chunk, l.tstate_stack_top},
		       v);
	l.tstate_lo = ts.lo;
	l.tstate_read = ts.size;
	// read from its start: [0, the end of current_frame)
	Part cf = l.frame_in_tstate ? Part{0, 0} : part("_PyCFrame", {0, l.cframe_current_frame}, v);
	l.cframe_read = cf.size;
	// frames are read from their start: a chunk's copy holds them whole
	l.frame_read = part("_PyInterpreterFrame",
			    {0, l.frame_code, l.frame_previous, l.frame_prev_instr, l.frame_owner}, v)
			       .size;
	if (l.chunk_data > PY_READ_MAX || l.chunk_previous + 8 > l.chunk_data ||
	    l.chunk_size + 8 > l.chunk_data || l.chunk_top + 8 > l.chunk_data)
		throw std::runtime_error(
			cfur::strf("_PyStackChunk's layout is not CPython %s's", v.name));
	if (l.bytes_data > PY_READ_MAX || l.bytes_size + 8 > l.bytes_data)
		throw std::runtime_error(
			cfur::strf("PyBytesObject's layout is not CPython %s's", v.name));
	if (l.ascii_size > PY_READ_MAX || l.str_state + 4 > l.ascii_size ||
	    l.str_length + 8 > l.ascii_size || l.kind_shift > 29 || l.compact_shift > 31 ||
	    l.ascii_shift > 31)
		throw std::runtime_error(
			cfur::strf("PyASCIIObject's layout is not CPython %s's", v.name));
	return l;
}

} // namespace pystack
