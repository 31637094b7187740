// SPDX-License-Identifier: GPL-2.0
// CPython 3.12 (Include/internal/ of 3.12.1): each interpreter has its GIL
// (PyInterpreterState._gil); the modules moved to imports.modules; an int
// keeps its sign and size in long_value.lv_tag; every call of the
// interpreter from C links an entry frame on the C stack into the frame
// chain (owner FRAME_OWNED_BY_CSTACK), which runs no code of its own; an
// instance's values are a tagged pointer where 3.11 kept its dict.
// PyASCIIObject lost wstr, which DWARF accounts for.
#include "versions.hpp"

namespace pystack {

const VersionSpec &py312()
{
	static const VersionSpec v = [] {
		VersionSpec v;
		v.minor = 12;
		v.name = "3.12";
		v.names = {
			{&PyOffsets::runtime_gil_locked, "", nullptr, ""},
			{&PyOffsets::runtime_gil_holder, "", nullptr, ""},
			{&PyOffsets::tstate_current_frame, "", nullptr, ""},
			{&PyOffsets::interp_modules, "offset", "PyInterpreterState", "imports.modules"},
			{&PyOffsets::long_digits, "offset", "PyLongObject", "long_value.ob_digit"},
		};
		v.cstack_owner = 3; // FRAME_OWNED_BY_CSTACK
		v.managed_dict = ManagedDict::tagged_before;
		return v;
	}();
	return v;
}

} // namespace pystack
