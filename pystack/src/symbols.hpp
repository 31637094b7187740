// SPDX-License-Identifier: GPL-2.0
// The code objects a walker has sent (struct py_symbol), decoded: name,
// file name and location table, by symbol id.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include <linux/types.h>

#include "linetable.hpp"
#include "pystack_layout.h"

namespace pystack {

// A PyUnicode's characters (kind 1: Latin-1, 2: UCS-2, 4: UCS-4) in UTF-8.
std::string to_utf8(const char *bytes, std::size_t len, unsigned kind);

struct Symbol {
	std::string name, file; // "?" if they could not be read
	std::string qualname;	// co_qualname; "" if not read
	int firstlineno = 0;
	LineTable lines;
};

// By id; a symbol stays where it is for good, and code objects of the same
// contents share one, so that a walker that sends every code object every
// sample (pvm) has each decoded once.
class Symbols {
public:
	void add(const py_symbol &s);
	// nullptr for id 0 or an id never sent
	const Symbol *find(std::uint32_t id) const;
	// Forgets the ids (a walker whose ids hold for one sample).
	void clear() { ids_.clear(); }
	std::size_t size() const { return ids_.size(); }

private:
	std::unordered_map<std::uint32_t, const Symbol *> ids_;
	std::map<std::string, Symbol> by_contents_;
};

} // namespace pystack
