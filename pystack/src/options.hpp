// SPDX-License-Identifier: GPL-2.0
// pystack's command line.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pystack {

struct Options {
	pid_t pid = 0;
	std::vector<std::string> walkers = {"bpf"};	// in the order they sample
	unsigned rate = 100;		// samples per second
	double duration = 5;		// seconds; unless samples is set
	unsigned long samples = 0;	// 0: rate * duration
	std::string out;		// directory for <walker>.collapsed, summary.txt
	std::string expect;		// file of the stacks each sample must show
	double min_match = 99;		// percent of samples that must match expect
	std::string debug_root = "/usr/lib/debug";

	unsigned long sample_count() const;
};

extern const char kUsage[];

// "bpf", "task", "pvm", a comma-separated list of them, "both" or "all".
std::vector<std::string> parse_walkers(const std::string &text);

// Throws std::invalid_argument with a message for a bad command line.
Options parse_options(const std::vector<std::string> &args);

} // namespace pystack
