// SPDX-License-Identifier: GPL-2.0
// cfur-fuzz's tally: the outcomes by pid class and by the kfunc's flags,
// the first problems, sent back from a child process as text, and printed
// as tables.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "contract.hpp"
#include "reader.hpp"

namespace cfur::rel {

struct Tally {
	using Counts = std::map<std::string, std::map<Outcome, unsigned long>>;
	Counts by_class; // by pid class
	Counts by_flags; // by the kfunc's flags: flags_class()
	unsigned long calls = 0, wrong = 0;
	std::vector<std::string> problems; // the first few

	void add(const std::string &cls, const std::string &flags, const Verdict &v,
		 const std::string &what);

	// As lines "p CLASS OUTCOME N", "f FLAGS OUTCOME N" and "! PROBLEM",
	// for a child process to send back, and merged from them.
	std::string to_text() const;
	void merge_text(const std::string &text);
};

// "0", "NOWAIT" or "unknown" (any bit the kfunc does not know).
const char *flags_class(std::uint64_t flags);

// A table of counts by class with a column per outcome: those the helper
// has, and for the kfunc also EAGAIN and EINVAL.
void print_counts(const char *title, const Tally::Counts &counts, Via via);

} // namespace cfur::rel
