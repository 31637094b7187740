// SPDX-License-Identifier: GPL-2.0
// What pystack needs from an ELF file: symbols, the build-id, where its
// segments go, and the bytes of initialised data (libelf).
#pragma once

#include <gelf.h>
#include <libelf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace pystack {

class ElfFile {
public:
	// Opens `path`; throws std::runtime_error naming it if it is not ELF.
	explicit ElfFile(const std::string &path);

	// A symbol's value, from .dynsym or .symtab.
	std::optional<std::uint64_t> symbol(const std::string &name) const;
	// The GNU build-id in hex, or "" if the file has none.
	std::string build_id() const;
	// The virtual address the file's first byte is loaded at (relative to
	// the load bias): the first PT_LOAD's p_vaddr - p_offset.
	std::uint64_t load_base() const;
	// n bytes of the file image at virtual address vaddr, if a PT_LOAD
	// holds them in the file.
	std::optional<std::vector<std::uint8_t>> read(std::uint64_t vaddr, std::size_t n) const;

	// True if the file has a section of that name (".debug_info").
	bool has_section(const std::string &name) const;

	const std::string &path() const { return path_; }

private:
	struct ElfCloser {
		void operator()(Elf *e) const { elf_end(e); }
	};

	std::string path_;
	cfur::UniqueFd fd_;
	std::unique_ptr<Elf, ElfCloser> elf_;
};

} // namespace pystack
