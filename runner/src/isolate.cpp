// SPDX-License-Identifier: GPL-2.0
#include "isolate.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unique_fd.hpp"

namespace cfur {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void child_main(const TestEntry &t, const Filter &filter, int event_fd)
{
	auto &report = Report::get();
	report.reset(filter, event_fd);
	report.begin_test(t.name);
	t.fn();
	report.end_test();
	std::fflush(stdout);
	std::fflush(stderr);
	if (write(event_fd, "E\n", 2) != 2)
		_exit(1);
	_exit(0);
}

std::optional<Outcome> outcome_of(std::string_view label)
{
	for (auto o : {Outcome::Pass, Outcome::Fail, Outcome::Skip})
		if (label == cfur::label(o))
			return o;
	return std::nullopt;
}

// "<number> <rest>" of an event: the number, and rest (unchanged if none).
std::optional<int> take_number(std::string_view &rest)
{
	auto sp = rest.find(' ');
	int n = 0;
	auto [end, ec] = std::from_chars(rest.data(), rest.data() + std::min(sp, rest.size()), n);
	if (sp == std::string_view::npos || ec != std::errc() || end != rest.data() + sp)
		return std::nullopt;
	rest.remove_prefix(sp + 1);
	return n;
}

// What the parent learns from the child's events (report.cpp sends them):
// "B <number> <name>" a test (number 0) or subtest begins, "L <text>" it
// printed a failure, "R <label> <number> <name>" its result, "E" the test
// returned.
class Events {
public:
	explicit Events(std::string test) : test_(test), running_(std::move(test)) {}

	// Takes a chunk of the pipe; returns true if a line showed progress.
	bool feed(std::string_view chunk)
	{
		bool progress = false;
		buf_.append(chunk);
		for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
			progress |= line(std::string_view(buf_).substr(0, nl));
			buf_.erase(0, nl + 1);
		}
		return progress;
	}

	bool ended() const { return ended_; }
	const std::string &running() const { return running_; }
	std::vector<Result> &results() { return results_; }

	// The running test or subtest fails for why.
	void fail_running(const std::string &why)
	{
		log(why);
		results_.push_back({running_, Outcome::Fail, number_, log_of(number_)});
	}

private:
	std::string &log_of(int number) { return number ? subtest_log_ : test_log_; }
	void log(std::string_view text) { log_of(number_).append(text).append("\n"); }

	bool line(std::string_view l)
	{
		std::string_view rest = l.size() > 2 ? l.substr(2) : std::string_view();
		if (l == "E") {
			ended_ = true;
		} else if (l.starts_with("B ")) {
			auto n = take_number(rest);
			if (!n)
				return false;
			running_ = rest;
			number_ = *n;
			subtest_log_.clear();
		} else if (l.starts_with("L ")) {
			log(rest);
		} else if (l.starts_with("R ")) {
			auto sp = rest.find(' ');
			auto o = outcome_of(rest.substr(0, sp));
			if (!o || sp == std::string_view::npos)
				return false;
			rest.remove_prefix(sp + 1);
			auto n = take_number(rest);
			if (!n)
				return false;
			std::string name(rest);
			if (name == running_) {
				running_ = test_;
				number_ = 0;
			}
			results_.push_back({std::move(name), *o, *n, std::move(log_of(*n))});
			log_of(*n).clear();
		} else {
			return false;
		}
		return true;
	}

	std::string test_, running_, buf_;
	int number_ = 0; // running_'s subtest number; 0: the test itself
	std::string test_log_, subtest_log_;
	bool ended_ = false;
	std::vector<Result> results_;
};

// Drains what the pipe holds now; false at its end.
bool drain(int fd, Events &events, bool &progress)
{
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		progress |= events.feed(std::string_view(chunk, n));
	}
}

// Reads events until the child has exited (true) or made no progress for
// timeout (false). The child's exit is seen through a pidfd, not the pipe's
// end: processes the test forked may still hold the pipe.
bool follow(int fd, int pidfd, Events &events, std::chrono::seconds timeout)
{
	auto deadline = Clock::now() + timeout;
	for (;;) {
		int ms = -1;
		if (timeout.count()) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
				deadline - Clock::now());
			ms = left.count() > 0 ? static_cast<int>(left.count()) : 0;
		}
		pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
		int r = poll(p, 2, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		bool progress = false;
		bool open = drain(fd, events, progress);
		if (progress)
			deadline = Clock::now() + timeout;
		if (p[1].revents || !open)
			return true;
	}
}

std::string death(int status)
{
	char why[128];
	if (WIFSIGNALED(status))
		std::snprintf(why, sizeof(why), "crashed: signal %d (%s)", WTERMSIG(status),
			      strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		std::snprintf(why, sizeof(why), "exited with status %d before the test returned",
			      WEXITSTATUS(status));
	else
		std::snprintf(why, sizeof(why), "ended with wait status %#x", status);
	return why;
}

// The test fails without a child: call, which it needed, failed.
std::vector<Result> not_started(const char *name, const char *call)
{
	std::string why = std::string(call) + ": " + std::strerror(errno);
	std::printf("  %s: %s\n%-50s %s\n", name, why.c_str(), name, label(Outcome::Fail));
	return {{name, Outcome::Fail, 0, why + "\n"}};
}

} // namespace

std::vector<Result> run_isolated(const TestEntry &t, const Filter &filter, std::chrono::seconds timeout)
{
	int fds[2];
	if (pipe(fds)) {
		return not_started(t.name, "pipe");
	}
	UniqueFd rd(fds[0]), wr(fds[1]);
	std::fflush(stdout);
	std::fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		rd.reset();
		child_main(t, filter, wr.get());
	}
	wr.reset();
	if (pid < 0) {
		return not_started(t.name, "fork");
	}

	fcntl(rd.get(), F_SETFL, O_NONBLOCK);
	UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
	Events events(t.name);
	std::string why;
	if (!pidfd)
		why = std::string("pidfd_open: ") + std::strerror(errno) +
		      " (the runner needs Linux 5.3 or later)";
	else if (!follow(rd.get(), pidfd.get(), events, timeout))
		why = "no progress for " + std::to_string(timeout.count()) + " s (watchdog, -w): killed";
	if (!why.empty())
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (why.empty() && events.ended() && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return std::move(events.results());

	if (why.empty())
		why = death(status);
	std::printf("  %s: %s\n%-50s %s\n", events.running().c_str(), why.c_str(),
		    events.running().c_str(), label(Outcome::Fail));
	std::fflush(stdout);
	events.fail_running(events.running() + ": " + why);
	return std::move(events.results());
}

} // namespace cfur
