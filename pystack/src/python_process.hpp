// SPDX-License-Identifier: GPL-2.0
// Finds the CPython interpreter in a running process: the ELF file that
// holds _PyRuntime, where it is loaded, its version and its debug file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace pystack {

struct VersionSpec;

struct Mapping {
	std::uint64_t start = 0, end = 0, offset = 0;
	std::string perms, path;
};

// /proc/PID/maps, line by line; throws std::runtime_error on a bad line.
std::vector<Mapping> parse_maps(std::istream &in);

struct PythonVersion {
	int major = 0, minor = 0, micro = 0;
	std::string str() const;
};
// PY_VERSION_HEX (the Py_Version symbol), e.g. 0x030b02f0 -> 3.11.2
PythonVersion decode_version(std::uint32_t hex);

// Where the debug file of a build-id lives under root (/usr/lib/debug).
std::string debug_file_path(const std::string &root, const std::string &build_id);

struct PythonProcess {
	pid_t pid = 0;
	pid_t own_pid = 0;    // its pid in its own pid namespace (== pid if none of its own)
	std::string binary;   // the file holding _PyRuntime, as its maps name it
	bool deleted = false; // that file was unlinked (or replaced) since it was mapped
	// the same, to open from here: /proc/PID/map_files/START-END, else
	// /proc/PID/exe, else /proc/PID/root/PATH (whichever opened first)
	std::string path;
	std::uint64_t bias = 0;		// load address - link address
	std::uint64_t runtime = 0;	// &_PyRuntime in the process
	std::uint64_t code_type = 0;	// &PyCode_Type, 0 if not exported
	std::uint64_t unicode_type = 0; // &PyUnicode_Type, 0 if not exported
	PythonVersion version;
	std::uint32_t version_hex = 0;	   // Py_Version
	const VersionSpec *spec = nullptr; // how pystack reads that version
	std::string build_id;
	// DWARF for it: the debug file its build-id names under the debug
	// root, or the binary itself if it carries .debug_info; "" if none
	std::string debug_file;
	std::string debug_file_wanted; // where a debug file would be looked for
};

// The ELF file a process maps at m (its first mapping), opened from here:
// through /proc/PID/map_files (the very file, whatever the process's root,
// deleted or not), else /proc/PID/exe if it is the executable, else
// /proc/PID/root/PATH. Sets *opened to the path that opened; throws
// std::runtime_error naming each way tried and why it failed, and what to
// do.
class ElfFile;
ElfFile open_mapped(pid_t pid, const Mapping &m, std::string *opened);

// Inspects pid; throws std::runtime_error that says what is wrong: no such
// process, no permission, not CPython, a version pystack does not sample,
// a debug build, an interpreter file it cannot reach.
PythonProcess inspect_python(pid_t pid, const std::string &debug_root = "/usr/lib/debug");

} // namespace pystack
