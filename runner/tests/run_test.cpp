// SPDX-License-Identifier: GPL-2.0
// The run survives what a test does wrong: a failing assertion, a crash and
// a hang each fail that test, by name, and the tests after it still run.
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include <unistd.h>

#include "cfur_api.h"
#include "run.hpp"

namespace {

void test_passes()
{
	if (test__start_subtest("one"))
		cfur_assert(true, __func__, __LINE__, "fine", "never printed");
}

void test_assert_fails()
{
	if (test__start_subtest("good"))
		cfur_assert(true, __func__, __LINE__, "fine", "never printed");
	if (test__start_subtest("bad"))
		cfur_assert(false, __func__, __LINE__, "the answer", "actual %d != expected %d", 41,
			    42);
}

void test_crashes()
{
	if (test__start_subtest("before"))
		cfur_assert(true, __func__, __LINE__, "fine", "never printed");
	if (test__start_subtest("segv"))
		std::raise(SIGSEGV);
}

void test_hangs()
{
	if (test__start_subtest("forever"))
		for (;;)
			pause();
}

void test_skips()
{
	test__skip();
}

struct Run {
	int status;
	std::string out;
	std::vector<cfur::TestRun> tests;
};

Run run(std::span<const cfur::TestEntry> tests, std::vector<std::string> patterns = {})
{
	cfur::RunOptions opts;
	opts.patterns = std::move(patterns);
	opts.timeout = std::chrono::seconds(1);
	testing::internal::CaptureStdout();
	auto result = cfur::run_tests(tests, opts);
	return {result.status, testing::internal::GetCapturedStdout(), std::move(result.tests)};
}

bool has_line(const std::string &out, const std::string &name, const char *verdict)
{
	for (std::size_t pos = 0; (pos = out.find(name, pos)) != std::string::npos; pos++) {
		if (pos && out[pos - 1] != '\n')
			continue;
		auto eol = out.find('\n', pos);
		auto line = out.substr(pos, eol - pos);
		if (line.size() > name.size() && line[name.size()] == ' ' &&
		    line.ends_with(std::string(" ") + verdict))
			return true;
	}
	return false;
}

const cfur::TestEntry kAll[] = {
	{"assert_fails", test_assert_fails},
	{"crashes", test_crashes},
	{"hangs", test_hangs},
	{"skips", test_skips},
	{"passes", test_passes},
};

} // namespace

TEST(Runner, EveryFailureIsNamedAndTheRestRuns)
{
	auto r = run(kAll);
	EXPECT_EQ(r.status, 1) << r.out;
	EXPECT_TRUE(has_line(r.out, "assert_fails/good", "OK")) << r.out;
	EXPECT_TRUE(has_line(r.out, "assert_fails/bad", "FAIL")) << r.out;
	EXPECT_NE(r.out.find("FAIL the answer: actual 41 != expected 42"), std::string::npos) << r.out;
	EXPECT_TRUE(has_line(r.out, "crashes/before", "OK")) << r.out;
	EXPECT_TRUE(has_line(r.out, "crashes/segv", "FAIL")) << r.out;
	EXPECT_NE(r.out.find("crashes/segv: crashed: signal 11"), std::string::npos) << r.out;
	EXPECT_TRUE(has_line(r.out, "hangs/forever", "FAIL")) << r.out;
	EXPECT_NE(r.out.find("hangs/forever: no progress for 1 s"), std::string::npos) << r.out;
	EXPECT_TRUE(has_line(r.out, "skips", "SKIP")) << r.out;
	EXPECT_TRUE(has_line(r.out, "passes/one", "OK")) << r.out;
	EXPECT_TRUE(r.out.ends_with("3 passed, 3 failed, 1 skipped\n")) << r.out;
}

TEST(Runner, AllPassingExitsZero)
{
	auto r = run(kAll, {"passes"});
	EXPECT_EQ(r.status, 0) << r.out;
	EXPECT_TRUE(r.out.ends_with("1 passed, 0 failed, 0 skipped\n")) << r.out;
}

TEST(Runner, SubtestPatternNarrows)
{
	auto r = run(kAll, {"assert_fails/good"});
	EXPECT_EQ(r.status, 0) << r.out;
	EXPECT_FALSE(has_line(r.out, "assert_fails/bad", "FAIL")) << r.out;
}

TEST(Runner, NoMatchingTestIsAnError)
{
	auto r = run(kAll, {"no_such_test"});
	EXPECT_EQ(r.status, 2);
}

namespace {

const cfur::Result *result_of(const Run &r, const std::string &name)
{
	for (const auto &t : r.tests)
		for (const auto &res : t.results)
			if (res.name == name)
				return &res;
	return nullptr;
}

} // namespace

TEST(Runner, ResultsCarryTheirNumbersAndWhatFailed)
{
	auto r = run(kAll);
	ASSERT_EQ(r.tests.size(), 5u);
	EXPECT_EQ(r.tests[1].name, "crashes");
	EXPECT_EQ(r.tests[1].number, 2);
	const auto *good = result_of(r, "assert_fails/good");
	const auto *bad = result_of(r, "assert_fails/bad");
	const auto *segv = result_of(r, "crashes/segv");
	const auto *hang = result_of(r, "hangs/forever");
	ASSERT_TRUE(good && bad && segv && hang) << r.out;
	EXPECT_EQ(good->number, 1);
	EXPECT_EQ(good->message, "");
	EXPECT_EQ(bad->number, 2);
	EXPECT_NE(bad->message.find("FAIL the answer: actual 41 != expected 42"), std::string::npos)
		<< bad->message;
	EXPECT_EQ(segv->number, 2);
	EXPECT_NE(segv->message.find("crashes/segv: crashed: signal 11"), std::string::npos)
		<< segv->message;
	EXPECT_NE(hang->message.find("no progress for 1 s"), std::string::npos) << hang->message;
}

TEST(Runner, FilteredSubtestsKeepTheirNumbers)
{
	auto r = run(kAll, {"assert_fails/bad"});
	const auto *bad = result_of(r, "assert_fails/bad");
	ASSERT_TRUE(bad) << r.out;
	EXPECT_EQ(bad->number, 2);
	EXPECT_FALSE(result_of(r, "assert_fails/good"));
}
