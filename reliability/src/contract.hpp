// SPDX-License-Identifier: GPL-2.0
// The contract, checked on one call: it returns size and the bytes the
// target holds, or -ESRCH / -EFAULT with all of dst zeroed; it never writes
// past size. The helper and the kfunc share it: the kfunc's return is put in
// the helper's terms first (kfunc_to_helper), and its flags add two rules:
// unknown bits give -EINVAL, BPF_F_COPY_NOWAIT may give -EAGAIN instead, both
// with dst zeroed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace cfur::rel {

// The byte every target of these tools holds at user address addr.
constexpr std::uint8_t pattern_at(std::uint64_t addr)
{
	return static_cast<std::uint8_t>(((addr >> 12) * 31 + addr * 7 + 1) & 0xff);
}

// The kfunc's flags (kmod/copy_from_user_pid.h; reader.cpp checks that they
// agree): never wait, and every bit it knows.
inline constexpr std::uint64_t kCopyNowait = 1;
inline constexpr std::uint64_t kCopyKnownFlags = kCopyNowait;

// The kfunc returns 0 where the helper returns size; errors are the same.
// This is the one place the kfunc's return is put in the helper's terms. A
// positive return, which the kfunc never makes, becomes a value that
// check_call() names as such, never size.
long kfunc_to_helper(long ret, std::uint32_t size);

enum class Outcome { Ok, Esrch, Efault, Eagain, Einval, Wrong };

const char *outcome_name(Outcome o);

struct Verdict {
	Outcome outcome = Outcome::Wrong;
	std::string problem; // empty unless Wrong
};

struct Call {
	long ret = 0;
	std::uint64_t addr = 0;
	std::uint32_t size = 0;
	std::span<const std::byte> buf; // the whole slot, poisoned before the call
	std::byte poison{0xa5};
	// What the call must return with flags 0, when the caller knows (the
	// fuzzer does). With BPF_F_COPY_NOWAIT -EAGAIN may come instead; with
	// unknown flag bits -EINVAL must, whatever this says.
	std::optional<long> expected_ret;
	std::uint64_t flags = 0; // the kfunc's; the helper has none (0)
};

Verdict check_call(const Call &c);

} // namespace cfur::rel
