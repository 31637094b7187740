// SPDX-License-Identifier: GPL-2.0
#include "hexdump.hpp"

#include <algorithm>

#include "strf.hpp"

namespace cfur {

std::string hexdump(std::uint64_t base, std::span<const std::byte> data)
{
	constexpr std::size_t kWidth = 16;
	std::string out;
	for (std::size_t off = 0; off < data.size(); off += kWidth) {
		auto line = data.subspan(off, std::min(kWidth, data.size() - off));
		out += strf("%016llx  ", static_cast<unsigned long long>(base + off));
		for (std::size_t i = 0; i < kWidth; i++)
			out += i < line.size() ? strf("%02x ", std::to_integer<unsigned>(line[i]))
					       : std::string("   ");
		out += " |";
		for (auto b : line) {
			auto c = std::to_integer<unsigned char>(b);
			out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
		}
		out += "|\n";
	}
	return out;
}

} // namespace cfur
