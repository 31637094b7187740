// SPDX-License-Identifier: GPL-2.0
// The processes pystack samples: each pid (and with --children its
// descendants), its interpreter, and the layout the walk uses for it: from
// the interpreter's DWARF if it has some, else from its _Py_DebugOffsets
// (3.13), else from the table of its version generated at build time
// (3.11, 3.12); either way checked against the live process before it is
// trusted.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "offsets.hpp"
#include "python_process.hpp"
#include "walker.hpp"

namespace pystack {

enum class LayoutChoice { automatic, dwarf, debug_offsets, table };

// --layout's names for them.
inline const std::map<std::string, LayoutChoice> &layout_choices()
{
	static const std::map<std::string, LayoutChoice> names = {{"auto", LayoutChoice::automatic},
								  {"dwarf", LayoutChoice::dwarf},
								  {"debug-offsets",
								   LayoutChoice::debug_offsets},
								  {"table", LayoutChoice::table}};
	return names;
}

struct TargetInfo {
	PythonProcess py;
	PyOffsets offsets;
	std::string layout_source; // "DWARF of FILE" or "the layout table (...)"
	py_layout layout{};
};

// Reads the interpreter of pid and its layout; throws std::runtime_error
// saying what is wrong and what to do.
TargetInfo open_target(pid_t pid, LayoutChoice choice, const std::string &debug_root);

// "" if the offsets describe the interpreter running in pid, else what
// does not fit: _PyRuntime, its main interpreter and its threads must point
// at one another, the threads must be the process's, code objects and
// strings must have their types.
std::string check_layout(Memory &mem, pid_t pid, const PyOffsets &o, const PythonProcess &py);

// Every descendant of pid (children, their children, ...), from /proc.
std::vector<pid_t> descendants_of(pid_t pid);

} // namespace pystack
