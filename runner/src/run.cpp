// SPDX-License-Identifier: GPL-2.0
#include "run.hpp"

#include <algorithm>
#include <cstdio>

namespace cfur {

RunResult run_tests(std::span<const TestEntry> tests, const RunOptions &opts)
{
	Filter filter(opts.patterns);
	RunResult run{0, {}};
	std::vector<Result> results;
	int selected = 0, number = 0;
	for (const auto &t : tests) {
		number++;
		if (!filter.selects_test(t.name))
			continue;
		selected++;
		if (opts.list) {
			std::printf("%s\n", t.name);
			continue;
		}
		auto r = run_isolated(t, filter, opts.timeout);
		results.insert(results.end(), r.begin(), r.end());
		run.tests.push_back({t.name, number, std::move(r)});
	}
	if (selected == 0) {
		std::fprintf(stderr, "error: no test matches the given -t patterns\n");
		run.status = 2;
		return run;
	}
	if (opts.list)
		return run;
	auto count = [&](Outcome o) {
		return std::count_if(results.begin(), results.end(),
				     [o](const Result &r) { return r.outcome == o; });
	};
	long failed = count(Outcome::Fail);
	std::printf("%ld passed, %ld failed, %ld skipped\n", count(Outcome::Pass), failed,
		    count(Outcome::Skip));
	std::fflush(stdout);
	run.status = failed ? 1 : 0;
	return run;
}

} // namespace cfur
