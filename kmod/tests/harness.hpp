// SPDX-License-Identifier: GPL-2.0
// kfunc-test's harness: checks that throw, each case in a child process of
// its own with a watchdog, helpers to run a step as another child (another
// uid, other capabilities, another pid namespace), and targets: forked
// processes that set up memory, report addresses and wait to be killed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>

namespace kt {

// A failed check; the message says what was expected and what came.
struct Failure : std::runtime_error {
	using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string &what);
inline void expect(bool ok, const std::string &what)
{
	if (!ok)
		fail(what);
}

// Runs fn in a child process and waits up to timeout for it; a Failure (or
// any exception, a crash, a timeout) there becomes a Failure here, with its
// message. The child's writes to memory are its own.
void in_child(const std::function<void()> &fn, std::chrono::seconds timeout = std::chrono::seconds(60));

// A process that runs setup (in the child), sends the values it returns
// (addresses, mostly) back, then waits until the Target is destroyed (or
// its parent dies). setup runs with the parent's uid and capabilities.
class Target {
public:
	explicit Target(const std::function<std::vector<std::uint64_t>()> &setup);
	Target(const Target &) = delete;
	Target &operator=(const Target &) = delete;
	~Target();

	pid_t pid() const { return pid_; }
	std::uint64_t value(std::size_t i) const { return values_.at(i); }
	// Lets the target exit; it stays a zombie until reaped.
	void release();
	// Reaps it after release(); true if it exited within the time.
	bool reap(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
	pid_t pid_ = -1;
	int hold_fd_ = -1;
	std::vector<std::uint64_t> values_;
};

// The byte at index i of the pattern with seed: never 0, so that a zeroed
// buffer is never the expected data.
inline std::uint8_t pattern_byte(std::uint64_t seed, std::size_t i)
{
	std::uint64_t x = (seed + i) * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	auto b = static_cast<std::uint8_t>(x >> 24);
	return b ? b : 1;
}

std::vector<std::uint8_t> pattern(std::uint64_t seed, std::size_t n);
// An anonymous private mapping of pages pages, read-write, filled with the
// pattern of seed (its first byte is pattern_byte(seed, 0)).
void *map_pattern(std::size_t pages, std::uint64_t seed);

// The effective capability set becomes exactly caps (each in the permitted
// set), e.g. {CAP_BPF, CAP_PERFMON}.
void set_effective_caps(std::initializer_list<int> caps);
// Drops to uid and gid (real, effective, saved; no supplementary groups),
// keeping the permitted capabilities, then makes caps effective.
void become(uid_t uid, gid_t gid, std::initializer_list<int> caps);

inline constexpr std::size_t kPage = 4096;

} // namespace kt
