// SPDX-License-Identifier: GPL-2.0
// cfur-peek's command line (CLI11): PID ADDR [SIZE] [--via helper|kfunc|auto].
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "via.hpp"

namespace cfur {

inline constexpr std::size_t kMaxPeekSize = 64 * 1024 * 1024;

struct PeekOptions {
	int pid = 0;
	std::uint64_t addr = 0;
	std::size_t size = 64;
	Via via = Via::Auto;
};

// Throws cli::HelpRequested for --help and std::invalid_argument with a
// message that names the option or argument.
PeekOptions parse_peek_options(const std::vector<std::string> &args);

} // namespace cfur
