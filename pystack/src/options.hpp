// SPDX-License-Identifier: GPL-2.0
// pystack's command line (CLI11).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "command_line.hpp"
#include "targets.hpp"

namespace pystack {

struct Options {
	std::vector<pid_t> pids;
	bool children = false;			     // and every descendant of the pids
	std::vector<std::string> walkers = {"auto"}; // in the order they sample
	unsigned rate = 100;			     // samples per second
	double duration = 5;			     // seconds of sampling; unless samples is set
	unsigned long samples = 0;		     // per walker; 0: as many as the duration holds
	double slice_ms = 0;			     // 0: the walkers take turns every sample
	bool cpu_mode = false;			     // --mode cpu
	bool idle = false;			     // mark idle threads with an [idle] frame
	bool gil = false;			     // only threads holding the GIL
	bool consistent = false;		     // drop torn thread samples
	unsigned retries = 4;			     // see README.md, Consistent samples
	unsigned max_targets = 64;
	unsigned max_threads = 256;
	unsigned max_depth = 1024;
	unsigned max_code = 65536;
	LayoutChoice layout = LayoutChoice::automatic;
	std::string out; // directory for the profiles and summary.txt
	std::vector<std::string> formats = {"collapsed", "speedscope", "pprof", "svg"};
	std::string expect;    // file of the stacks each sample must show
	double min_match = 99; // percent of samples that must match expect
	std::string debug_root = "/usr/lib/debug";

	// --samples, or no limit (ULONG_MAX): sampling stops at --duration.
	unsigned long sample_count() const;
	bool by_duration() const { return samples == 0; }
	WalkSettings walk_settings() const;
};

// "auto", "bpf", "kfunc", "task", "austin", "pvm", a comma-separated list of them, "both"
// (bpf,pvm) or "all".
std::vector<std::string> parse_walkers(const std::string &text);

// Thrown for --help, with the help text.
using HelpRequested = cfur::cli::HelpRequested;

// Throws std::invalid_argument with a message for a bad command line.
Options parse_options(const std::vector<std::string> &args);

} // namespace pystack
