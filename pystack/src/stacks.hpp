// SPDX-License-Identifier: GPL-2.0
// From a py_sample to collapsed stacks ("T<tid>;file:function;... count",
// outermost frame first, as flamegraph.pl and Austin's tools read them),
// and the check against the stacks a test program says it has.
#pragma once

#include <linux/types.h>

#include <cstdint>
#include <istream>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "pystack_layout.h"

namespace pystack {

// A PyUnicode's characters (kind 1: Latin-1, 2: UCS-2, 4: UCS-4) in UTF-8.
std::string to_utf8(const char *bytes, std::size_t len, unsigned kind);

struct ThreadStack {
	std::uint64_t tid = 0;
	std::vector<std::string> frames;	// "file:function", outermost first
	int error = 0;
	bool truncated = false;

	std::string collapsed() const;	// "T<tid>;frame;frame"
};

// The threads of one sample, in the order the interpreter lists them.
std::vector<ThreadStack> stacks_of(const py_sample &s);

// Collapsed stacks and their counts over many samples.
class Profile {
public:
	void add(const std::vector<ThreadStack> &threads);
	void write(std::ostream &out) const;
	const std::map<std::string, std::uint64_t> &counts() const { return counts_; }

private:
	std::map<std::string, std::uint64_t> counts_;
};

// The stacks a sample must show: one collapsed stack per line (no count).
// A sample matches if its threads' stacks are exactly these, no more.
class Expected {
public:
	static Expected parse(std::istream &in);
	bool matches(const std::vector<ThreadStack> &threads) const;
	std::size_t size() const { return stacks_.size(); }

private:
	std::set<std::string> stacks_;
};

} // namespace pystack
