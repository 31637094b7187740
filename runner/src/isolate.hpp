// SPDX-License-Identifier: GPL-2.0
// Runs each test in a child process of its own, so that a test that crashes
// or hangs fails alone, by name, and the run goes on.
#pragma once

#include <chrono>
#include <vector>

#include "filter.hpp"
#include "report.hpp"

namespace cfur {

struct TestEntry {
	const char *name;
	void (*fn)();
};

// Runs t in a child. The child reports what it begins and every result over
// a pipe; if it dies of a signal, exits before the test returned, or makes
// no progress (begins no subtest, reports nothing) for timeout (0: no
// limit; the watchdog of test_progs -w), the test or subtest that was
// running is a Fail, printed with the reason. Returns every result.
std::vector<Result> run_isolated(const TestEntry &t, const Filter &filter,
				 std::chrono::seconds timeout);

} // namespace cfur
