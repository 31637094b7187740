// SPDX-License-Identifier: GPL-2.0
// CPython 3.11's offsets from an interpreter's DWARF.
#pragma once

#include "dwarf_types.hpp"
#include "offsets.hpp"

namespace pystack {

// Reads every offset of PY_OFFSETS; throws std::runtime_error naming the
// first type or member the debug information lacks.
PyOffsets read_offsets(DwarfTypes &types);

} // namespace pystack
