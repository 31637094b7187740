// SPDX-License-Identifier: GPL-2.0
// The CPython versions pystack samples, each as data: the names its DWARF
// gives the fields of PY_OFFSETS (where they differ from the first
// version's, or the version lacks them), how it keeps what the walk and
// the off-path readers differ on, and where its layout comes from when
// there is no debug file. One file per version under versions/; a new
// CPython is one more file and one line in versions.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "offsets.hpp"

namespace pystack {

class Memory;

// A field named otherwise than in PY_OFFSETS, or absent (type nullptr).
struct FieldName {
	std::uint32_t PyOffsets::*field;
	const char *kind, *type, *member;
};

// A field's value where no source gives it: taken from the version's
// headers and checked by a unit test against the DWARF of a build of it.
struct FieldValue {
	std::uint32_t PyOffsets::*field;
	std::uint32_t value;
};

// Where an object's instance dict or values live (remote_objects.cpp).
enum class ManagedDict {
	values_before, // 3.11: values 4 words before the object, its dict 3
	tagged_before, // 3.12: 3 words before: a dict, or values | 1
	inline_values, // 3.13: values after the object, its dict 3 words before
};

struct VersionSpec {
	int minor = 0;		      // 3.minor
	const char *name = "";	      // "3.12"
	std::vector<FieldName> names; // as this version's DWARF has them
	// _PyInterpreterFrame.owner of a frame on the C stack, which runs no
	// code of its own (FRAME_OWNED_BY_CSTACK); 0: the version has none
	std::uint8_t cstack_owner = 0;
	ManagedDict managed_dict = ManagedDict::values_before;
	std::uint64_t managed_dict_flag = 1ULL << 4; // Py_TPFLAGS_MANAGED_DICT
	std::uint64_t inline_values_flag = 0;	     // Py_TPFLAGS_INLINE_VALUES
	// _Py_DebugOffsets at the start of _PyRuntime, if the version has
	// them: their size, and how to turn them into PyOffsets (with
	// `constants` for what they do not give). Throws std::runtime_error
	// saying what does not hold.
	std::size_t debug_offsets_size = 0;
	PyOffsets (*from_debug_offsets)(std::span<const std::uint8_t> bytes,
					std::uint32_t py_version, const VersionSpec &v) = nullptr;
	std::vector<FieldValue> constants;
	// the free-threaded build's flag in _Py_DebugOffsets, read by
	// free_threaded(); nullptr if the version cannot say
	bool (*free_threaded)(std::span<const std::uint8_t> bytes) = nullptr;
};

// The spec of CPython 3.minor, or nullptr if pystack does not sample it.
const VersionSpec *find_version(int major, int minor);
// "3.11, 3.12 and 3.13"
std::string supported_versions();

const VersionSpec &py311();
const VersionSpec &py312();
const VersionSpec &py313();

} // namespace pystack
