// SPDX-License-Identifier: GPL-2.0
// One walker's counters: its samples, the rate it kept, what a sample cost
// (CPU time, system calls, reads, bytes), how consistent its thread samples
// were, how many matched the expected stacks, and why its torn walks were
// torn.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "options.hpp"
#include "stacks.hpp"
#include "symbols.hpp"
#include "walker.hpp"

namespace pystack {

struct WalkerStats {
	std::string name;
	Profile profile;
	Symbols symbols;
	FrameTable frames_made;
	bool per_sample_symbols = false;
	bool checks_consistency = true;
	std::uint64_t samples = 0;
	std::uint64_t errors = 0;  // samples with a failed read
	std::uint64_t matched = 0; // samples equal to the expected stacks
	std::uint64_t thread_samples = 0;
	std::uint64_t by_class[4] = {}; // enum py_consistency
	std::uint64_t busy = 0;		// thread samples on a CPU or runnable
	std::uint64_t busy_kept = 0;	// ... found quiet or checked
	std::uint64_t dropped = 0;	// torn thread samples left out (--consistent)
	std::uint64_t stacks = 0;	// thread samples with frames
	std::uint64_t frames = 0;
	std::uint64_t max_depth = 0;
	std::uint64_t truncated = 0;	// stacks cut at --max-depth
	std::uint64_t more_threads = 0; // samples with threads past --max-threads
	std::uint64_t reads = 0, bytes = 0, syscalls = 0;
	std::uint64_t symbols_sent = 0, symbols_lost = 0, code_checks = 0, code_reused = 0;
	std::uint64_t retries = 0;
	std::uint64_t torn[PY_TORN_WHY] = {}; // torn thread walks by why (enum py_torn_why)
	std::uint64_t late = 0;		      // ticks missed (samples a period or more late)
	double cpu_ns = 0;		      // the sampling thread's CPU time in the walk
	double all_cpu_ns = 0;		      // ... and all of pystack's work until the next walk
	double wall_ns = 0;
	double active_ns = 0;			  // time this walker was the one sampling
	std::map<std::string, std::uint64_t> gil; // holder -> samples
	std::string first_error;
	WalkerStartup startup;
	double first_sample_ms = -1; // from pystack's start to this walker's first sample
	double last_sample_ms = -1;  // ... and to the end of its last

	double per_sample(double total) const { return samples ? total / samples : 0; }
	double mean_depth() const { return stacks ? static_cast<double>(frames) / stacks : 0; }
	double match_percent() const { return samples ? 100.0 * matched / samples : 0; }
	double rate() const { return active_ns > 0 ? samples * 1e9 / active_ns : 0; }
	double percent(std::uint64_t n, std::uint64_t of) const { return of ? 100.0 * n / of : 0; }
	// Records one sample and what it cost.
	void add(const SampleView &v, const std::vector<ThreadSample> &threads, double cpu,
		 double wall, std::uint64_t syscalls, const Expected *expect, const Options &o);
	// Adds the CPU time of the whole sample, the walk and what came of it.
	void add_all_cpu(double ns) { all_cpu_ns += ns; }
	// Forgets the samples so far, keeping what is known of the code
	// objects (the walker does not send them again) and how many were read.
	void forget_samples();
};

// Why the walker's torn thread walks were torn, retried ones included: a
// line of the summary.
std::string torn_walks(const WalkerStats &s);

} // namespace pystack
