// SPDX-License-Identifier: GPL-2.0
// cfur-bench's command line.
#pragma once

#include <string>
#include <vector>

namespace cfur::bench {

struct Options {
	unsigned reps = 5;
	double scale = 1.0; // multiplies every workload's read count
	unsigned churn_threads = 2;
	std::string out_dir = "bench-out";
	std::string accel; // empty: detect
	std::vector<std::string> workloads; // empty: all
};

// Parses argv; throws std::invalid_argument with a message for people.
Options parse_options(const std::vector<std::string> &args);

extern const char *const kUsage;

} // namespace cfur::bench
