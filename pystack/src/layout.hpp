// SPDX-License-Identifier: GPL-2.0
// struct py_layout from CPython 3.11's DWARF.
#pragma once

#include <linux/types.h>

#include <cstdint>

#include "dwarf_types.hpp"
#include "pystack_layout.h"

namespace pystack {

// Reads every offset the walk uses; throws std::runtime_error naming the
// first type or member the debug information lacks.
py_layout read_layout(DwarfTypes &types, std::uint64_t runtime);

} // namespace pystack
