// SPDX-License-Identifier: GPL-2.0
#include "run.hpp"

#include <algorithm>
#include <cstdio>

namespace cfur {

int run_tests(std::span<const TestEntry> tests, const RunOptions &opts)
{
	Filter filter(opts.patterns);
	std::vector<Result> results;
	int selected = 0;
	for (const auto &t : tests) {
		if (!filter.selects_test(t.name))
			continue;
		selected++;
		if (opts.list) {
			std::printf("%s\n", t.name);
			continue;
		}
		auto r = run_isolated(t, filter, opts.timeout);
		results.insert(results.end(), r.begin(), r.end());
	}
	if (selected == 0) {
		std::fprintf(stderr, "error: no test matches the given -t patterns\n");
		return 2;
	}
	if (opts.list)
		return 0;
	auto count = [&](Outcome o) {
		return std::count_if(results.begin(), results.end(),
				     [o](const Result &r) { return r.outcome == o; });
	};
	long failed = count(Outcome::Fail);
	std::printf("%ld passed, %ld failed, %ld skipped\n", count(Outcome::Pass), failed,
		    count(Outcome::Skip));
	std::fflush(stdout);
	return failed ? 1 : 0;
}

} // namespace cfur
