// SPDX-License-Identifier: GPL-2.0
// The sampling loop and its summary: per walker, samples, errors, matches,
// mean depth, and the CPU time and system calls each sample cost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "options.hpp"
#include "stacks.hpp"
#include "walker.hpp"

namespace pystack {

struct WalkerStats {
	std::string name;
	Profile profile;
	std::uint64_t samples = 0;
	std::uint64_t errors = 0;	// samples with a failed read
	std::uint64_t matched = 0;	// samples equal to the expected stacks
	std::uint64_t threads = 0;	// thread stacks with frames, all samples
	std::uint64_t frames = 0;
	std::uint64_t max_depth = 0;
	std::uint64_t reads = 0;
	std::uint64_t syscalls = 0;
	double cpu_ns = 0;		// the sampling thread's CPU time
	double wall_ns = 0;
	std::string first_error;

	double per_sample(double total) const { return samples ? total / samples : 0; }
	double mean_depth() const { return threads ? static_cast<double>(frames) / threads : 0; }
	double match_percent() const { return samples ? 100.0 * matched / samples : 0; }
	// Records one sample and what it cost.
	void add(const std::vector<ThreadStack> &stacks, const py_sample &s, double cpu, double wall,
		 std::uint64_t syscalls, const Expected *expect);
};

// Takes o.sample_count() samples at o.rate with every walker (alternating
// which goes first), on the same target.
std::vector<WalkerStats> sample_all(const Options &o, std::vector<std::unique_ptr<Walker>> &walkers,
				    const Expected *expect);

// The summary table, and with two walkers their cost ratio.
void write_summary(std::ostream &out, const std::vector<WalkerStats> &stats, const Expected *expect);

} // namespace pystack
