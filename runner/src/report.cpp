// SPDX-License-Identifier: GPL-2.0
#include "report.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "test_progs.h"

namespace cfur {

namespace {

const char *label(Outcome o)
{
	switch (o) {
	case Outcome::Pass:
		return "OK";
	case Outcome::Fail:
		return "FAIL";
	case Outcome::Skip:
		return "SKIP";
	}
	return "?";
}

} // namespace

Report &Report::get()
{
	static Report report;
	return report;
}

void Report::begin_test(std::string name)
{
	test_ = std::move(name);
	test_failed_ = test_skipped_ = false;
	subtests_run_ = 0;
}

void Report::end_test()
{
	end_subtest();
	// A test with subtests is summed up by them; one without is a result.
	if (subtests_run_ == 0 || test_failed_) {
		auto o = test_failed_ ? Outcome::Fail : test_skipped_ ? Outcome::Skip : Outcome::Pass;
		results_.push_back({test_, o});
		std::printf("%-50s %s\n", test_.c_str(), label(o));
	}
	std::fflush(stdout);
}

bool Report::begin_subtest(std::string_view name)
{
	end_subtest();
	if (!filter_.selects_subtest(test_, name))
		return false;
	subtest_ = name;
	in_subtest_ = true;
	sub_failed_ = sub_skipped_ = false;
	subtests_run_++;
	return true;
}

void Report::end_subtest()
{
	if (!in_subtest_)
		return;
	in_subtest_ = false;
	auto o = sub_failed_ ? Outcome::Fail : sub_skipped_ ? Outcome::Skip : Outcome::Pass;
	auto full = test_ + "/" + subtest_;
	results_.push_back({full, o});
	std::printf("%-50s %s\n", full.c_str(), label(o));
	std::fflush(stdout);
}

void Report::skip()
{
	(in_subtest_ ? sub_skipped_ : test_skipped_) = true;
}

void Report::fail()
{
	(in_subtest_ ? sub_failed_ : test_failed_) = true;
}

void Report::assertion(bool ok, const char *func, int line, const char *name,
		       const std::string &msg)
{
	if (ok)
		return;
	fail();
	std::printf("  %s:%d: FAIL %s: %s\n", func, line, name, msg.c_str());
}

int Report::count(Outcome o) const
{
	return static_cast<int>(std::count_if(results_.begin(), results_.end(),
					      [o](const Result &r) { return r.outcome == o; }));
}

} // namespace cfur

extern "C" {

bool test__start_subtest(const char *name)
{
	return cfur::Report::get().begin_subtest(name);
}

void test__end_subtest(void)
{
	cfur::Report::get().end_subtest();
}

void test__skip(void)
{
	cfur::Report::get().skip();
}

void test__fail(void)
{
	cfur::Report::get().fail();
}

bool cfur_assert(bool ok, const char *func, int line, const char *name, const char *fmt, ...)
{
	int saved_errno = errno;
	std::string msg;
	if (!ok) {
		char buf[512];
		va_list ap;
		va_start(ap, fmt);
		std::vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		msg = buf;
	}
	cfur::Report::get().assertion(ok, func, line, name, msg);
	errno = saved_errno;
	return ok;
}

} // extern "C"
