// SPDX-License-Identifier: GPL-2.0
// Test and subtest bookkeeping for the thin runner: which ones run, what
// they reported, and the totals. Each result is printed as test_progs'
// verbose mode would, and sent to the parent process as an event.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "filter.hpp"

namespace cfur {

enum class Outcome { Pass, Fail, Skip };

// "OK", "FAIL" or "SKIP", as the runner prints it.
const char *label(Outcome o);

struct Result {
	std::string name; // "test" or "test/subtest"
	Outcome outcome;
	int number = 0;	     // the subtest's, from 1 as test_progs counts them; 0: the test
	std::string message; // what it printed of its failures ("" if none)
};

class Report {
public:
	static Report &get();

	// Starts afresh (in a test's child process): no results, this filter,
	// and events for the parent written to event_fd (see isolate.hpp).
	void reset(Filter filter, int event_fd);
	void set_filter(Filter filter) { filter_ = std::move(filter); }
	const Filter &filter() const { return filter_; }

	void begin_test(std::string name);
	void end_test();
	bool begin_subtest(std::string_view name);
	void end_subtest();
	void skip();
	void fail();
	void assertion(bool ok, const char *func, int line, const char *name, const std::string &msg);

	const std::vector<Result> &results() const { return results_; }
	int count(Outcome o) const;

private:
	Report() = default;
	void record(std::string name, Outcome o, int number);
	void emit(char kind, const std::string &line) const;

	Filter filter_;
	std::string test_;
	std::string subtest_;
	bool in_subtest_ = false;
	bool test_failed_ = false, test_skipped_ = false;
	bool sub_failed_ = false, sub_skipped_ = false;
	int subtests_run_ = 0;
	int subtest_num_ = 0; // subtests begun, filtered ones too (test_progs' numbers)
	int event_fd_ = -1;
	std::vector<Result> results_;
};

} // namespace cfur
