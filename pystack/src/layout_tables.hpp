// SPDX-License-Identifier: GPL-2.0
// The layout tables built into pystack, one per version that has one:
// generated at build time from the DWARF of an interpreter of that version
// (gen/layout_table_gen.cpp; Makefile: PYTHON311, PYTHON312). 3.13 needs
// none: its interpreters carry _Py_DebugOffsets.
#pragma once

#include <optional>
#include <string>

#include "offsets.hpp"

namespace pystack {

struct LayoutTable {
	PyOffsets offsets;
	std::string source; // the interpreter it was generated from
};

// The table of CPython 3.minor, if pystack was built with one.
std::optional<LayoutTable> layout_table(int minor);

} // namespace pystack
