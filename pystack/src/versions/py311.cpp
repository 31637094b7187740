// SPDX-License-Identifier: GPL-2.0
// CPython 3.11: PY_OFFSETS names its fields as 3.11 does. The GIL is the
// runtime's (_PyRuntime.ceval.gil), a thread's current frame is its
// _PyCFrame's, and frames run only on the data stack (no entry frames:
// the owner is read for generators' frames only).
#include "versions.hpp"

namespace pystack {

const VersionSpec &py311()
{
	static const VersionSpec v = [] {
		VersionSpec v;
		v.minor = 11;
		v.name = "3.11";
		v.names = {
			{&PyOffsets::interp_gil_locked, "", nullptr, ""},
			{&PyOffsets::interp_gil_holder, "", nullptr, ""},
			{&PyOffsets::tstate_current_frame, "", nullptr, ""},
			{&PyOffsets::long_tag, "", nullptr, ""},
		};
		v.managed_dict = ManagedDict::values_before;
		return v;
	}();
	return v;
}

} // namespace pystack
