// SPDX-License-Identifier: GPL-2.0
// The code objects a walker has sent (struct py_symbol), decoded: name,
// file name and location table, by symbol id.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include <linux/types.h>

#include "linetable.hpp"
#include "pystack_layout.h"

namespace pystack {

// A PyUnicode's characters (kind 1: Latin-1, 2: UCS-2, 4: UCS-4) in UTF-8.
std::string to_utf8(const char *bytes, std::size_t len, unsigned kind);

struct Symbol {
	std::string name, file;	// "?" if they could not be read
	int firstlineno = 0;
	LineTable lines;
};

class Symbols {
public:
	void add(const py_symbol &s);
	// nullptr for id 0 or an id never sent
	const Symbol *find(std::uint32_t id) const;
	void clear() { symbols_.clear(); }
	std::size_t size() const { return symbols_.size(); }

private:
	std::unordered_map<std::uint32_t, Symbol> symbols_;
};

} // namespace pystack
