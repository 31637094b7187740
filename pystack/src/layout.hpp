// SPDX-License-Identifier: GPL-2.0
// A CPython version's offsets from an interpreter's DWARF.
#pragma once

#include "dwarf_types.hpp"
#include "offsets.hpp"
#include "versions.hpp"

namespace pystack {

// Reads every offset of PY_OFFSETS that version v has, by v's names (the
// others are kAbsent); throws std::runtime_error naming the first type or
// member the debug information lacks.
PyOffsets read_offsets(DwarfTypes &types, const VersionSpec &v);

} // namespace pystack
