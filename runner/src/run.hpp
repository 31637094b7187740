// SPDX-License-Identifier: GPL-2.0
// The thin runner's run: the selected tests, each in a child of its own,
// and the summary line.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "isolate.hpp"

namespace cfur {

struct RunOptions {
	std::vector<std::string> patterns; // -t, as test_progs
	bool list = false;		   // -l: print the selected tests' names
	std::chrono::seconds timeout{120}; // -w: test_progs' watchdog default
	std::string json_summary;	   // -J: where the JSON summary goes ("": nowhere)
};

// One test's results: its own and its subtests'.
struct TestRun {
	std::string name;
	int number; // its place in the runner's list, from 1
	std::vector<Result> results;
};

struct RunResult {
	int status; // 0 if nothing failed, 1 if something did, 2 if no test was selected
	std::vector<TestRun> tests;
};

// Runs (or lists) the tests the patterns select and prints
// "N passed, N failed, N skipped" last.
RunResult run_tests(std::span<const TestEntry> tests, const RunOptions &opts);

} // namespace cfur
