// SPDX-License-Identifier: GPL-2.0
#include "linetable.hpp"

#include <algorithm>

namespace pystack {
namespace {

// The location table's entry codes (Include/cpython/code.h).
enum : unsigned {
	kOneLine0 = 10,
	kOneLine2 = 12,
	kNoColumns = 13,
	kLong = 14,
	kNone = 15,
};

class Reader {
public:
	explicit Reader(std::span<const std::uint8_t> t) : t_(t) {}
	bool done() const { return at_ >= t_.size(); }
	std::uint8_t byte() { return done() ? 0 : t_[at_++]; }
	// 6 bits a byte, least significant first, 0x40: more follow
	unsigned varint()
	{
		unsigned value = 0, shift = 0;
		std::uint8_t b;
		do {
			b = byte();
			value |= static_cast<unsigned>(b & 63) << shift;
			shift += 6;
		} while ((b & 64) && shift < 32);
		return value;
	}
	int svarint()
	{
		unsigned u = varint();
		return u & 1 ? -static_cast<int>(u >> 1) : static_cast<int>(u >> 1);
	}
	// Skips to the next entry's first byte (its top bit is set).
	void next_entry()
	{
		while (!done() && !(t_[at_] & 0x80))
			at_++;
	}

private:
	std::span<const std::uint8_t> t_;
	std::size_t at_ = 0;
};

} // namespace

LineTable::LineTable(std::span<const std::uint8_t> table, int firstlineno, bool truncated)
	: firstlineno_(firstlineno)
{
	Reader r(table);
	std::vector<Range> entries;
	int line = firstlineno, addr = 0;
	while (!r.done()) {
		std::uint8_t first = r.byte();
		unsigned code = (first >> 3) & 15;
		int length = (first & 7) + 1;
		int delta = 0;
		if (code == kLong || code == kNoColumns)
			delta = r.svarint();
		else if (code >= kOneLine0 && code <= kOneLine2)
			delta = static_cast<int>(code - kOneLine0);
		r.next_entry();
		line += delta;
		entries.push_back({addr, addr + length, code == kNone ? -1 : line});
		addr += length;
	}
	// a cut-short table may end in part of an entry
	if (truncated && !entries.empty())
		entries.pop_back();
	for (const Range &e : entries) {
		if (!ranges_.empty() && ranges_.back().line == e.line && ranges_.back().end == e.start)
			ranges_.back().end = e.end;
		else
			ranges_.push_back(e);
	}
}

int LineTable::line_at(int lasti) const
{
	if (lasti < 0)
		return firstlineno_;
	auto it = std::upper_bound(ranges_.begin(), ranges_.end(), lasti,
				   [](int a, const Range &r) { return a < r.end; });
	if (it == ranges_.end() || lasti < it->start)
		return 0;
	return it->line;
}

} // namespace pystack
