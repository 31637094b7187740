// SPDX-License-Identifier: GPL-2.0
// cfur-runner's command line (CLI11): test_progs' -t, -l, -w and -J.
#pragma once

#include <string>
#include <vector>

#include "run.hpp"

namespace cfur {

// Throws cli::HelpRequested for --help and std::invalid_argument with a
// message that names the option.
RunOptions parse_run_options(const std::vector<std::string> &args);

} // namespace cfur
