// SPDX-License-Identifier: GPL-2.0
// CPython's location table (co_linetable, Objects/locations.md; one format in 3.11-3.13):
// which source line each instruction of a code object comes from.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace pystack {

class LineTable {
public:
	LineTable() = default;
	// `truncated`: the table was cut short; instructions past its end
	// have no known line.
	LineTable(std::span<const std::uint8_t> table, int firstlineno, bool truncated = false);

	// The line of the instruction at `lasti` (in code units, as
	// _PyInterpreterFrame_LASTI): firstlineno before the first
	// instruction, -1 for an instruction that has no line, 0 when unknown.
	int line_at(int lasti) const;

	struct Range {
		int start, end; // code units, [start, end)
		int line;	// -1: no line
	};
	const std::vector<Range> &ranges() const { return ranges_; }

private:
	std::vector<Range> ranges_;
	int firstlineno_ = 0;
};

} // namespace pystack
