// SPDX-License-Identifier: GPL-2.0
#include "report.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <unistd.h>

#include "cfur_api.h"

namespace cfur {

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

Report &Report::get()
{
	static Report report;
	return report;
}

void Report::reset(Filter filter, int event_fd)
{
	*this = Report();
	filter_ = std::move(filter);
	event_fd_ = event_fd;
}

// One line to the parent: "<kind> <text>\n", the text's own line breaks
// made spaces. Events are short, so one write(2) to a pipe is atomic.
void Report::emit(char kind, const std::string &text) const
{
	if (event_fd_ < 0)
		return;
	std::string line = std::string(1, kind) + ' ' + text;
	std::replace(line.begin(), line.end(), '\n', ' ');
	line += '\n';
	ssize_t n = write(event_fd_, line.data(), line.size());
	(void)n;
}

void Report::record(std::string name, Outcome o, int number)
{
	std::printf("%-50s %s\n", name.c_str(), label(o));
	std::fflush(stdout);
	emit('R', std::string(label(o)) + ' ' + std::to_string(number) + ' ' + name);
	results_.push_back({std::move(name), o, number, {}});
}

void Report::begin_test(std::string name)
{
	test_ = std::move(name);
	test_failed_ = test_skipped_ = false;
	subtests_run_ = subtest_num_ = 0;
	emit('B', "0 " + test_);
}

void Report::end_test()
{
	end_subtest();
	// A test with subtests is summed up by them; one without is a result.
	if (subtests_run_ == 0 || test_failed_) {
		auto o = test_failed_	 ? Outcome::Fail
			 : test_skipped_ ? Outcome::Skip
					 : Outcome::Pass;
		record(test_, o, 0);
	}
}

bool Report::begin_subtest(std::string_view name)
{
	end_subtest();
	subtest_num_++;
	if (!filter_.selects_subtest(test_, name))
		return false;
	subtest_ = name;
	in_subtest_ = true;
	sub_failed_ = sub_skipped_ = false;
	subtests_run_++;
	emit('B', std::to_string(subtest_num_) + ' ' + test_ + "/" + subtest_);
	return true;
}

void Report::end_subtest()
{
	if (!in_subtest_)
		return;
	in_subtest_ = false;
	auto o = sub_failed_ ? Outcome::Fail : sub_skipped_ ? Outcome::Skip : Outcome::Pass;
	record(test_ + "/" + subtest_, o, subtest_num_);
}

void Report::skip()
{
	(in_subtest_ ? sub_skipped_ : test_skipped_) = true;
}

void Report::fail()
{
	(in_subtest_ ? sub_failed_ : test_failed_) = true;
}

void Report::assertion(bool ok, const char *func, int line, const char *name, const std::string &msg)
{
	if (ok)
		return;
	fail();
	std::string text =
		std::string(func) + ':' + std::to_string(line) + ": FAIL " + name + ": " + msg;
	std::printf("  %s\n", text.c_str());
	emit('L', text);
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
