// SPDX-License-Identifier: GPL-2.0
#include "dwarf_types.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include <dwarf.h>

namespace pystack {
namespace {

[[noreturn]] void fail(const std::string &what)
{
	throw std::runtime_error(what);
}

cfur::UniqueFd open_file(const std::string &path)
{
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("cannot open " + path + ": " + std::strerror(errno));
	return cfur::UniqueFd(fd);
}

std::vector<std::string> split(const std::string &path)
{
	std::vector<std::string> parts;
	std::size_t start = 0;
	for (;;) {
		std::size_t dot = path.find('.', start);
		parts.push_back(path.substr(start, dot - start));
		if (dot == std::string::npos)
			return parts;
		start = dot + 1;
	}
}

std::optional<std::uint64_t> udata(Dwarf_Die *die, unsigned int attr_name)
{
	Dwarf_Attribute attr;
	Dwarf_Word value;
	if (!dwarf_attr_integrate(die, attr_name, &attr) || dwarf_formudata(&attr, &value) != 0)
		return std::nullopt;
	return value;
}

// A member's position, in bits, inside the struct that holds it.
std::optional<std::uint64_t> member_bits(Dwarf_Die *m)
{
	std::uint64_t bits = 0;
	if (auto loc = udata(m, DW_AT_data_member_location))
		bits = *loc * 8;
	if (auto dbo = udata(m, DW_AT_data_bit_offset))
		return bits + *dbo;
	if (auto bo = udata(m, DW_AT_bit_offset)) {
		// DWARF 2/3: counted from the most significant bit of the
		// storage unit of byte_size bytes.
		auto size = udata(m, DW_AT_byte_size);
		auto width = udata(m, DW_AT_bit_size);
		if (!size || !width)
			return std::nullopt;
		return bits + *size * 8 - *bo - *width;
	}
	return bits;
}

bool is_aggregate(int tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
}

// The struct/union a member's type names, through typedefs and qualifiers.
std::optional<Dwarf_Die> aggregate_of(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die type, peeled;
	if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type))
		return std::nullopt;
	if (dwarf_peel_type(&type, &peeled) != 0 || !is_aggregate(dwarf_tag(&peeled)))
		return std::nullopt;
	return peeled;
}

// How deep anonymous members nest, at most: CPython's go 2 deep; a debug
// file whose anonymous member is its own struct would recurse for ever.
constexpr int kMaxNesting = 8;

// Finds the member `name` of `agg`, looking into anonymous members; adds
// its bit position to *bits.
std::optional<Dwarf_Die> find_member(Dwarf_Die *agg, const std::string &name, std::uint64_t *bits,
				     int depth = 0)
{
	if (depth > kMaxNesting)
		return std::nullopt;
	Dwarf_Die child;
	if (dwarf_child(agg, &child) != 0)
		return std::nullopt;
	do {
		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		auto pos = member_bits(&child);
		if (!pos)
			continue;
		const char *n = dwarf_diename(&child);
		if (n && name == n) {
			*bits += *pos;
			return child;
		}
		if (!n) {
			auto inner = aggregate_of(&child);
			std::uint64_t inner_bits = *bits + *pos;
			if (inner) {
				if (auto found = find_member(&*inner, name, &inner_bits, depth + 1)) {
					*bits = inner_bits;
					return found;
				}
			}
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return std::nullopt;
}

} // namespace

DwarfTypes::DwarfTypes(const std::string &path) : path_(path), fd_(open_file(path))
{
	dw_.reset(dwarf_begin(fd_.get(), DWARF_C_READ));
	if (!dw_)
		fail(path + " has no DWARF debug information: " + dwarf_errmsg(-1));
}

// The next unit's top-level DIEs: struct/union tags and typedef names,
// complete definitions only, the first of a name kept. False when there
// is no unit left.
bool DwarfTypes::index_next_unit()
{
	Dwarf_Off next = 0;
	std::size_t header = 0;
	if (units_done_ ||
	    dwarf_nextcu(dw_.get(), unit_, &next, &header, nullptr, nullptr, nullptr) != 0) {
		units_done_ = true;
		return false;
	}
	Dwarf_Die cu, die;
	if (dwarf_offdie(dw_.get(), unit_ + header, &cu) && dwarf_child(&cu, &die) == 0) {
		do {
			int tag = dwarf_tag(&die);
			const char *name = dwarf_diename(&die);
			if (!name || (tag != DW_TAG_typedef && !is_aggregate(tag)))
				continue;
			if (dwarf_hasattr(&die, DW_AT_declaration))
				continue;
			types_.try_emplace(name, die);
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	unit_ = next;
	return true;
}

// Units are indexed as far as it takes to meet the type: the types
// pystack wants are all in the first few.
Dwarf_Die DwarfTypes::type_die(const std::string &type, int depth)
{
	// a typedef of a declared struct is followed once to its definition;
	// two declarations naming each other would be followed for ever
	if (depth > 2)
		fail("the debug information in " + path_ + " names " + type + " in a loop");
	auto it = types_.find(type);
	while (it == types_.end() && index_next_unit())
		it = types_.find(type);
	if (it == types_.end())
		fail("the debug information in " + path_ + " has no type " + type);
	Dwarf_Die die = it->second, peeled;
	if (dwarf_tag(&die) == DW_TAG_typedef) {
		if (dwarf_peel_type(&die, &peeled) != 0 || !is_aggregate(dwarf_tag(&peeled)))
			fail(type + " in " + path_ + " is not a struct");
		// a unit that only declares the struct: its definition, by tag
		const char *tag = dwarf_diename(&peeled);
		if (dwarf_hasattr(&peeled, DW_AT_declaration) && tag && type != tag)
			return type_die(tag, depth + 1);
		return peeled;
	}
	return die;
}

std::uint32_t DwarfTypes::size_of(const std::string &type)
{
	Dwarf_Die die = type_die(type);
	int size = dwarf_bytesize(&die);
	if (size < 0)
		fail(type + " in " + path_ + " has no size");
	return static_cast<std::uint32_t>(size);
}

DwarfTypes::Member DwarfTypes::member(const std::string &type, const std::string &path)
{
	Dwarf_Die agg = type_die(type);
	std::uint64_t bits = 0;
	std::optional<Dwarf_Die> m;
	std::string walked = type;
	for (const std::string &name : split(path)) {
		if (m) {
			auto inner = aggregate_of(&*m);
			if (!inner)
				fail(walked + " in " + path_ +
				     " is not a struct, so it has no member " + name);
			agg = *inner;
		}
		m = find_member(&agg, name, &bits);
		if (!m)
			fail("the debug information in " + path_ + " has no member " + walked +
			     "." + name);
		walked += "." + name;
	}
	return {*m, bits};
}

std::uint32_t DwarfTypes::offset_of(const std::string &type, const std::string &path)
{
	Member m = member(type, path);
	if (m.bits % 8)
		fail(type + "." + path + " in " + path_ + " is a bit-field");
	return static_cast<std::uint32_t>(m.bits / 8);
}

std::uint32_t DwarfTypes::bit_offset_of(const std::string &type, const std::string &path)
{
	return static_cast<std::uint32_t>(member(type, path).bits);
}

} // namespace pystack
