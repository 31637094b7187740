// SPDX-License-Identifier: GPL-2.0
#include "harness.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reap.hpp"
#include "strf.hpp"

namespace kt {

using cfur::strf;

void fail(const std::string &what)
{
	throw Failure(what);
}

namespace {

// Reads all of fd until EOF (or the timeout, measured from now).
std::string read_all(int fd, std::chrono::milliseconds timeout)
{
	std::string out;
	auto deadline = std::chrono::steady_clock::now() + timeout;
	char buf[4096];
	for (;;) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
			deadline - std::chrono::steady_clock::now());
		if (left.count() <= 0)
			break;
		pollfd p{fd, POLLIN, 0};
		int r = poll(&p, 1, static_cast<int>(left.count()));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out.append(buf, static_cast<std::size_t>(n));
	}
	return out;
}

void write_all(int fd, const void *data, std::size_t n)
{
	auto *p = static_cast<const char *>(data);
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= static_cast<std::size_t>(w);
	}
}

} // namespace

void in_child(const std::function<void()> &fn, std::chrono::seconds timeout)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		fail(strf("pipe: %s", std::strerror(errno)));
	std::fflush(nullptr);
	pid_t pid = fork();
	if (pid < 0)
		fail(strf("fork: %s", std::strerror(errno)));
	if (pid == 0) {
		close(fds[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		std::string msg;
		try {
			fn();
			_exit(0);
		} catch (const std::exception &e) {
			msg = e.what();
		} catch (...) {
			msg = "an exception that is no std::exception";
		}
		write_all(fds[1], msg.data(), msg.size());
		_exit(1);
	}
	close(fds[1]);
	auto start = std::chrono::steady_clock::now();
	std::string msg = read_all(fds[0], timeout);
	close(fds[0]);
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		timeout - (std::chrono::steady_clock::now() - start));
	int status = 0;
	pid_t got = waitpid(pid, &status, WNOHANG);
	if (got == 0) {
		// The pipe closed (or the time is up); give it what is left.
		int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
		if (pidfd >= 0) {
			pollfd p{pidfd, POLLIN, 0};
			poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1000)));
			close(pidfd);
		}
		got = waitpid(pid, &status, WNOHANG);
	}
	if (got == 0) {
		cfur::kill_and_reap(pid);
		fail(strf("the step in a child process did not finish within %lld s (a read that waits?)",
			  static_cast<long long>(timeout.count())));
	}
	if (WIFSIGNALED(status))
		fail(strf("the step in a child process died of signal %d%s%s", WTERMSIG(status),
			  msg.empty() ? "" : ": ", msg.c_str()));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail(msg.empty()
			     ? strf("the step in a child process exited with %d", WEXITSTATUS(status))
			     : msg);
}

Target::Target(const std::function<std::vector<std::uint64_t>()> &setup)
{
	int out[2], hold[2];
	if (pipe2(out, O_CLOEXEC) || pipe2(hold, O_CLOEXEC))
		fail(strf("pipe: %s", std::strerror(errno)));
	std::fflush(nullptr);
	pid_ = fork();
	if (pid_ < 0)
		fail(strf("fork: %s", std::strerror(errno)));
	if (pid_ == 0) {
		close(out[0]);
		close(hold[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		std::vector<std::uint64_t> v;
		try {
			v = setup();
		} catch (const std::exception &e) {
			std::string msg = std::string("E") + e.what();
			write_all(out[1], msg.data(), msg.size());
			_exit(2);
		}
		std::string msg = "V";
		for (auto x : v)
			msg += strf("%llx ", static_cast<unsigned long long>(x));
		write_all(out[1], msg.data(), msg.size());
		close(out[1]);
		char c;
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(out[1]);
	close(hold[0]);
	hold_fd_ = hold[1];
	std::string msg = read_all(out[0], std::chrono::seconds(30));
	close(out[0]);
	if (msg.empty() || msg[0] != 'V') {
		cfur::kill_and_reap(pid_);
		pid_ = -1;
		fail(msg.empty() ? std::string("the target process said nothing")
				 : "the target could not set up: " + msg.substr(1));
	}
	const char *p = msg.c_str() + 1;
	char *end;
	for (;;) {
		unsigned long long x = std::strtoull(p, &end, 16);
		if (end == p)
			break;
		values_.push_back(x);
		p = end;
	}
}

void Target::release()
{
	if (hold_fd_ >= 0)
		close(hold_fd_);
	hold_fd_ = -1;
}

bool Target::reap(std::chrono::milliseconds timeout)
{
	int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
	if (pidfd >= 0) {
		pollfd p{pidfd, POLLIN, 0};
		poll(&p, 1, static_cast<int>(timeout.count()));
		close(pidfd);
	}
	bool ok = waitpid(pid_, nullptr, WNOHANG) == pid_;
	if (ok)
		pid_ = -1;
	return ok;
}

Target::~Target()
{
	release();
	if (pid_ > 0)
		cfur::kill_and_reap(pid_);
}

std::vector<std::uint8_t> pattern(std::uint64_t seed, std::size_t n)
{
	std::vector<std::uint8_t> v(n);
	for (std::size_t i = 0; i < n; i++)
		v[i] = pattern_byte(seed, i);
	return v;
}

void *map_pattern(std::size_t pages, std::uint64_t seed)
{
	void *p = mmap(nullptr, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		fail(strf("mmap of %zu pages: %s", pages, std::strerror(errno)));
	auto *b = static_cast<std::uint8_t *>(p);
	for (std::size_t i = 0; i < pages * kPage; i++)
		b[i] = pattern_byte(seed, i);
	return p;
}

void set_effective_caps(std::initializer_list<int> caps)
{
	__user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2]{};
	if (syscall(SYS_capget, &hdr, data))
		fail(strf("capget: %s", std::strerror(errno)));
	data[0].effective = data[1].effective = 0;
	for (int c : caps)
		data[c / 32].effective |= 1U << (c % 32);
	if (syscall(SYS_capset, &hdr, data))
		fail(strf("capset: %s (is each capability in the permitted set?)",
			  std::strerror(errno)));
}

void become(uid_t uid, gid_t gid, std::initializer_list<int> caps)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		fail(strf("PR_SET_KEEPCAPS: %s", std::strerror(errno)));
	if (setgroups(0, nullptr) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		fail(strf("dropping to uid %u gid %u: %s", uid, gid, std::strerror(errno)));
	set_effective_caps(caps);
}

} // namespace kt
