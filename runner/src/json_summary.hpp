// SPDX-License-Identifier: GPL-2.0
// The JSON summary test_progs -J FILE writes (tools/testing/selftests/bpf/
// test_progs.c, calculate_summary_and_print_errors()), for programs to read
// instead of the console: the counts, and results[]. test_progs lists only
// the failed tests and subtests there; this runner lists every test and
// every subtest that ran (skipped ones only in the count), with "failed"
// false for those that passed, so that a check can give each subtest its
// own verdict from the file.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run.hpp"

namespace cfur {

// {"success", "success_subtest", "skipped", "failed", "results": [{"name",
// "number", "message", "failed", "subtests": [{"name", "number", "message",
// "failed"}]}]}, in test_progs' order.
nlohmann::ordered_json json_summary(const std::vector<TestRun> &tests);

// The file, opened (and so checked) before the tests run.
class JsonSummaryFile {
public:
	// Throws std::runtime_error naming path if it cannot be written.
	explicit JsonSummaryFile(const std::string &path);
	// Writes the summary of tests, one line as test_progs'; throws if that fails.
	void write(const std::vector<TestRun> &tests);

private:
	std::string path_;
	std::ofstream out_;
};

} // namespace cfur
