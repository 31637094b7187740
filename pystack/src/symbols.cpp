// SPDX-License-Identifier: GPL-2.0
#include "symbols.hpp"

#include <algorithm>

namespace pystack {
namespace {

// c as UTF-8. What no UTF-8 text may hold (a lone surrogate, which a
// str may: a non-UTF-8 file name under surrogateescape) and what would
// break the line-and-field formats pystack writes (control characters: a
// newline in a name would forge lines of a collapsed file) become U+FFFD.
void put_utf8(std::string &out, std::uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c < 0xe000))
		c = 0xfffd;
	if (c < 0x80) {
		out += static_cast<char>(c);
	} else if (c < 0x800) {
		out += static_cast<char>(0xc0 | (c >> 6));
		out += static_cast<char>(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out += static_cast<char>(0xe0 | (c >> 12));
		out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
		out += static_cast<char>(0x80 | (c & 0x3f));
	} else if (c < 0x110000) {
		out += static_cast<char>(0xf0 | (c >> 18));
		out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
		out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
		out += static_cast<char>(0x80 | (c & 0x3f));
	} else {
		out += "\xef\xbf\xbd"; // U+FFFD
	}
}

std::string name_or_unknown(const char *bytes, std::size_t len, unsigned kind)
{
	return kind ? to_utf8(bytes, len, kind) : "?";
}

} // namespace

std::string to_utf8(const char *bytes, std::size_t len, unsigned kind)
{
	std::string out;
	if (kind != 1 && kind != 2 && kind != 4)
		return out;
	const auto *b = reinterpret_cast<const unsigned char *>(bytes);
	for (std::size_t i = 0; i + kind <= len; i += kind) {
		std::uint32_t c = 0;
		for (unsigned k = 0; k < kind; k++)
			c |= static_cast<std::uint32_t>(b[i + k]) << (8 * k);
		put_utf8(out, c);
	}
	return out;
}

void Symbols::add(const py_symbol &s)
{
	std::size_t name_len = std::min<std::size_t>(s.name_len, PY_NAME_MAX);
	std::size_t file_len = std::min<std::size_t>(s.file_len, PY_FILE_MAX);
	std::size_t lines_len = std::min<std::size_t>(s.lines_len, PY_LINES_MAX);
	std::size_t qualname_len = std::min<std::size_t>(s.qualname_len, PY_QUALNAME_MAX);
	std::string key(s.name, name_len);
	key += '\0';
	key.append(s.qualname, qualname_len);
	key += std::to_string(s.qualname_kind);
	key += '\0';
	key.append(s.file, file_len);
	key += std::string(1, '\0') + std::to_string(s.firstlineno) + ' ' +
	       std::to_string(s.name_kind) + std::to_string(s.file_kind) +
	       std::to_string(s.lines_truncated) + '\0';
	key.append(reinterpret_cast<const char *>(s.lines), lines_len);
	auto [it, added] = by_contents_.try_emplace(std::move(key));
	if (added) {
		Symbol &sym = it->second;
		sym.name = name_or_unknown(s.name, name_len, s.name_kind);
		sym.file = name_or_unknown(s.file, file_len, s.file_kind);
		sym.qualname = to_utf8(s.qualname, qualname_len, s.qualname_kind);
		sym.firstlineno = s.firstlineno;
		sym.lines = LineTable({s.lines, lines_len}, s.firstlineno, s.lines_truncated != 0);
	}
	ids_[s.sym] = &it->second;
}

const Symbol *Symbols::find(std::uint32_t id) const
{
	auto it = ids_.find(id);
	return it == ids_.end() ? nullptr : it->second;
}

} // namespace pystack
