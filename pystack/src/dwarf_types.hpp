// SPDX-License-Identifier: GPL-2.0
// Struct sizes and member offsets, by name, from a file's DWARF (libdw).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include <elfutils/libdw.h>

#include "unique_fd.hpp"

namespace pystack {

class DwarfTypes {
public:
	// Opens `path` (an ELF file with DWARF); throws std::runtime_error.
	explicit DwarfTypes(const std::string &path);

	// sizeof(type); `type` is a struct/union tag or a typedef name.
	std::uint32_t size_of(const std::string &type);
	// offsetof(type, path), path being "member" or "member.member...";
	// members of anonymous structs and unions are found through them.
	std::uint32_t offset_of(const std::string &type, const std::string &path);
	// The bit position of a (bit-field) member from the start of `type`,
	// counted from the least significant bit (little endian).
	std::uint32_t bit_offset_of(const std::string &type, const std::string &path);

private:
	struct Closer {
		void operator()(Dwarf *dw) const { dwarf_end(dw); }
	};
	struct Member {
		Dwarf_Die die;
		std::uint64_t bits; // from the start of the outer type
	};

	Dwarf_Die type_die(const std::string &type, int depth = 0);
	Member member(const std::string &type, const std::string &path);
	bool index_next_unit();

	std::string path_;
	cfur::UniqueFd fd_;
	std::unique_ptr<Dwarf, Closer> dw_;
	std::unordered_map<std::string, Dwarf_Die> types_;
	Dwarf_Off unit_ = 0; // the next unit to index
	bool units_done_ = false;
};

} // namespace pystack
