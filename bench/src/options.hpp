// SPDX-License-Identifier: GPL-2.0
// cfur-bench's command line (CLI11).
#pragma once

#include <string>
#include <vector>

namespace cfur::bench {

struct Options {
	unsigned reps = 5;
	double scale = 1.0; // multiplies every workload's read count
	unsigned churn_threads = 2;
	std::string out_dir = "bench-out";
	std::string accel;		    // empty: detect
	std::vector<std::string> workloads; // empty: all
};

// Parses argv's arguments; throws cli::HelpRequested for --help and
// std::invalid_argument with a message that names the option.
Options parse_options(const std::vector<std::string> &args);

} // namespace cfur::bench
