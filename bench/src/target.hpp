// SPDX-License-Identifier: GPL-2.0
// The process the benchmark reads: a forked child holding a 64 KiB buffer
// of a known pattern and a cyclic chain of 64-byte nodes, one per page, in a
// shuffled order. On request, threads of the child keep mapping and
// unmapping memory (mmap_lock contention).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace cfur::bench {

inline constexpr std::size_t kChaseNodes = 64;
inline constexpr std::size_t kNodeSize = 64;
inline constexpr std::size_t kBufferSize = 65536;

// The byte at offset i of the target's buffer.
constexpr std::uint8_t pattern_byte(std::size_t i)
{
	return static_cast<std::uint8_t>((i * 7 + 3) & 0xff);
}

struct TargetLayout {
	std::uint64_t buffer = 0;			// kBufferSize bytes of pattern_byte()
	std::array<std::uint64_t, kChaseNodes> chain{}; // node addresses in chase order
};

class Target {
public:
	// Forks the target; throws std::system_error on failure.
	explicit Target(unsigned churn_threads);
	~Target();
	Target(const Target &) = delete;
	Target &operator=(const Target &) = delete;

	pid_t pid() const { return pid_; }
	const TargetLayout &layout() const { return layout_; }

	// Starts or stops the churn threads' mmap/munmap loops.
	void set_churn(bool on);
	// mmap/munmap pairs the churn threads have done so far.
	std::uint64_t churn_ops() const;

	// The address the chase reads at step n (0-based) from the chain's head.
	std::uint64_t chase_address(std::uint64_t n) const
	{
		return layout_.chain[n % kChaseNodes];
	}

	// State both processes see (a MAP_SHARED page).
	struct Shared;

private:
	// Kills and reaps the child, unmaps the shared page; idempotent.
	void release();

	pid_t pid_ = -1;
	Shared *shared_ = nullptr;
	TargetLayout layout_;
};

} // namespace cfur::bench
