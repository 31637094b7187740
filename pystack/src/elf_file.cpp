// SPDX-License-Identifier: GPL-2.0
#include "elf_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "strf.hpp"

namespace pystack {
namespace {

[[noreturn]] void fail(const std::string &what)
{
	throw std::runtime_error(what);
}

std::optional<std::uint64_t> find_in(Elf *elf, Elf64_Word type, const std::string &name)
{
	Elf_Scn *scn = nullptr;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, nullptr);
		if (!data)
			continue;
		std::size_t count = sh.sh_size / sh.sh_entsize;
		for (std::size_t i = 0; i < count; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, static_cast<int>(i), &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			const char *n = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (n && name == n)
				return sym.st_value;
		}
	}
	return std::nullopt;
}

} // namespace

ElfFile::ElfFile(const std::string &path) : path_(path)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		fail("libelf is too old");
	fd_ = cfur::UniqueFd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd_)
		fail("cannot open " + path + ": " + std::strerror(errno));
	elf_.reset(elf_begin(fd_.get(), ELF_C_READ, nullptr));
	if (!elf_ || elf_kind(elf_.get()) != ELF_K_ELF)
		fail(path + " is not an ELF file");
}

std::optional<std::uint64_t> ElfFile::symbol(const std::string &name) const
{
	if (auto v = find_in(elf_.get(), SHT_DYNSYM, name))
		return v;
	return find_in(elf_.get(), SHT_SYMTAB, name);
}

std::string ElfFile::build_id() const
{
	Elf_Scn *scn = nullptr;
	while ((scn = elf_nextscn(elf_.get(), scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *data = elf_getdata(scn, nullptr);
		GElf_Nhdr nh;
		std::size_t off = 0, name_off, desc_off;
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    std::memcmp(static_cast<char *>(data->d_buf) + name_off, "GNU", 4) != 0)
				continue;
			const auto *desc = static_cast<const std::uint8_t *>(data->d_buf) + desc_off;
			std::string hex;
			for (std::size_t i = 0; i < nh.n_descsz; i++)
				hex += cfur::strf("%02x", desc[i]);
			return hex;
		}
	}
	return {};
}

bool ElfFile::has_section(const std::string &name) const
{
	std::size_t strndx = 0;
	if (elf_getshdrstrndx(elf_.get(), &strndx) != 0)
		return false;
	Elf_Scn *scn = nullptr;
	while ((scn = elf_nextscn(elf_.get(), scn))) {
		GElf_Shdr sh;
		const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(elf_.get(), strndx, sh.sh_name)
						       : nullptr;
		if (n && name == n && sh.sh_type != SHT_NOBITS)
			return true;
	}
	return false;
}

std::uint64_t ElfFile::load_base() const
{
	std::size_t n = 0;
	if (elf_getphdrnum(elf_.get(), &n) != 0)
		fail(path_ + " has no program headers");
	for (std::size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf_.get(), static_cast<int>(i), &ph) && ph.p_type == PT_LOAD)
			return ph.p_vaddr - ph.p_offset;
	}
	fail(path_ + " has no loadable segment");
}

std::optional<std::vector<std::uint8_t>> ElfFile::read(std::uint64_t vaddr, std::size_t n) const
{
	std::size_t count = 0;
	if (elf_getphdrnum(elf_.get(), &count) != 0)
		return std::nullopt;
	for (std::size_t i = 0; i < count; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf_.get(), static_cast<int>(i), &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr + n > ph.p_vaddr + ph.p_filesz)
			continue;
		std::vector<std::uint8_t> bytes(n);
		off_t at = static_cast<off_t>(ph.p_offset + (vaddr - ph.p_vaddr));
		if (pread(fd_.get(), bytes.data(), n, at) != static_cast<ssize_t>(n))
			return std::nullopt;
		return bytes;
	}
	return std::nullopt;
}

} // namespace pystack
