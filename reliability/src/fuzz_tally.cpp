// SPDX-License-Identifier: GPL-2.0
#include "fuzz_tally.hpp"

#include <iostream>
#include <sstream>
#include <utility>

#include "strf.hpp"

namespace cfur::rel {

void Tally::add(const std::string &cls, const std::string &flags, const Verdict &v,
		const std::string &what)
{
	++calls;
	++by_class[cls][v.outcome];
	++by_flags[flags][v.outcome];
	if (v.outcome == Outcome::Wrong) {
		++wrong;
		if (problems.size() < 10)
			problems.push_back(what + ": " + v.problem);
	}
}

std::string Tally::to_text() const
{
	std::string out;
	for (auto [kind, counts] : {std::pair{'p', &by_class}, std::pair{'f', &by_flags}})
		for (auto &[cls, m] : *counts)
			for (auto &[o, n] : m)
				out += strf("%c %s %d %lu\n", kind, cls.c_str(),
					    static_cast<int>(o), n);
	for (auto &p : problems)
		out += "! " + p + "\n";
	return out;
}

void Tally::merge_text(const std::string &text)
{
	std::istringstream is(text);
	std::string line;
	while (std::getline(is, line)) {
		if (line.rfind("! ", 0) == 0) {
			problems.push_back(line.substr(2));
			continue;
		}
		std::istringstream ls(line);
		char kind;
		std::string cls;
		int o;
		unsigned long n;
		if (!(ls >> kind >> cls >> o >> n))
			continue;
		(kind == 'p' ? by_class : by_flags)[cls][static_cast<Outcome>(o)] += n;
		if (kind != 'p')
			continue; // each call is counted once, by its pid class
		calls += n;
		if (static_cast<Outcome>(o) == Outcome::Wrong)
			wrong += n;
	}
}

const char *flags_class(std::uint64_t flags)
{
	if (flags & ~kCopyKnownFlags)
		return "unknown";
	return flags ? "NOWAIT" : "0";
}

void print_counts(const char *title, const Tally::Counts &counts, Via via)
{
	std::vector<Outcome> cols = {Outcome::Ok, Outcome::Esrch, Outcome::Efault};
	if (via == Via::Kfunc)
		cols.insert(cols.end(), {Outcome::Eagain, Outcome::Einval});
	cols.push_back(Outcome::Wrong);
	auto width = [](Outcome o) { return o == Outcome::Wrong ? 8 : 10; };
	std::string head = strf("%-12s", title);
	for (Outcome o : cols)
		head += strf(" %*s", width(o), outcome_name(o));
	std::cout << head << '\n';
	for (auto &[cls, m] : counts) {
		std::string row = strf("%-12s", cls.c_str());
		for (Outcome o : cols) {
			auto it = m.find(o);
			row += strf(" %*lu", width(o), it == m.end() ? 0UL : it->second);
		}
		std::cout << row << '\n';
	}
}

} // namespace cfur::rel
