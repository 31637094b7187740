// SPDX-License-Identifier: GPL-2.0
// The helper's contract, checked on one call: it returns size and the bytes
// the target holds, or -ESRCH / -EFAULT with all of dst zeroed; it never
// writes past size.
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

enum class Outcome { Ok, Esrch, Efault, Wrong };

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
	// What the call must return, when the caller knows (the fuzzer does).
	std::optional<long> expected_ret;
};

Verdict check_call(const Call &c);

} // namespace cfur::rel
