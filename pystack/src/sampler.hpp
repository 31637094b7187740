// SPDX-License-Identifier: GPL-2.0
// The sampling loop and its summary: per walker, the samples, the rate it
// kept, what a sample cost (CPU time, system calls, reads, bytes), how
// consistent its thread samples were, and how many matched the expected
// stacks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "options.hpp"
#include "stacks.hpp"
#include "symbols.hpp"
#include "targets.hpp"
#include "thread_names.hpp"
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
	std::uint64_t errors = 0;	// samples with a failed read
	std::uint64_t matched = 0;	// samples equal to the expected stacks
	std::uint64_t thread_samples = 0;
	std::uint64_t by_class[4] = {};	// enum py_consistency
	std::uint64_t busy = 0;		// thread samples on a CPU or runnable
	std::uint64_t busy_kept = 0;	// ... found quiet or checked
	std::uint64_t dropped = 0;	// torn thread samples left out (--consistent)
	std::uint64_t stacks = 0;	// thread samples with frames
	std::uint64_t frames = 0;
	std::uint64_t max_depth = 0;
	std::uint64_t truncated = 0;	// stacks cut at --max-depth
	std::uint64_t more_threads = 0;	// samples with threads past --max-threads
	std::uint64_t reads = 0, bytes = 0, syscalls = 0;
	std::uint64_t symbols_sent = 0, symbols_lost = 0, code_checks = 0, code_reused = 0;
	std::uint64_t retries = 0;
	std::uint64_t torn[PY_TORN_WHY] = {};	// torn thread walks by why (enum py_torn_why)
	std::uint64_t late = 0;		// ticks missed (samples a period or more late)
	double cpu_ns = 0;		// the sampling thread's CPU time in the walk
	double all_cpu_ns = 0;		// ... and all of pystack's work until the next walk
	double wall_ns = 0;
	double active_ns = 0;		// time this walker was the one sampling
	std::map<std::string, std::uint64_t> gil;	// holder -> samples
	std::string first_error;

	double per_sample(double total) const { return samples ? total / samples : 0; }
	double mean_depth() const { return stacks ? static_cast<double>(frames) / stacks : 0; }
	double match_percent() const { return samples ? 100.0 * matched / samples : 0; }
	double rate() const { return active_ns > 0 ? samples * 1e9 / active_ns : 0; }
	double percent(std::uint64_t n, std::uint64_t of) const { return of ? 100.0 * n / of : 0; }
	// Records one sample and what it cost.
	void add(const SampleView &v, const std::vector<ThreadSample> &threads, double cpu, double wall,
		 std::uint64_t syscalls, const Expected *expect, const Options &o);
	// Adds the CPU time of the whole sample, the walk and what came of it.
	void add_all_cpu(double ns) { all_cpu_ns += ns; }
	// Forgets the samples so far, keeping what is known of the code
	// objects (the walker does not send them again).
	void forget_samples();
};

// The targets every walker samples: added (--children) and removed (a
// process that exits) as the run goes, telling the walkers.
class TargetSet {
public:
	TargetSet(const Options &o, ThreadNames &names) : o_(o), names_(names) {}
	// Opens pid; throws std::runtime_error saying why it cannot be sampled.
	void add(pid_t pid);
	void remove(pid_t pid);
	bool contains(pid_t pid) const;
	const std::vector<TargetInfo> &targets() const { return targets_; }
	void attach(Walker &w) { walkers_.push_back(&w); w.set_targets(walk_targets()); }
	// With --children: the pids' new descendants that are CPython 3.11.
	void rescan(std::ostream &log);

private:
	std::vector<Target> walk_targets() const;
	void update();

	const Options &o_;
	ThreadNames &names_;
	std::vector<TargetInfo> targets_;
	std::vector<Walker *> walkers_;
	std::set<pid_t> skipped_;
};

// Takes o.sample_count() samples with every walker, on the same targets;
// a target that exits is reported on `log` and left out from then on.
std::vector<WalkerStats> sample_all(const Options &o, std::vector<std::unique_ptr<Walker>> &walkers,
				    TargetSet &targets, ThreadNames &names, const Expected *expect,
				    std::ostream &log);

// The summary as CSV, a row per walker (summary.csv).
void write_summary_csv(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o);

// The summary tables, and every walker's cost ratio to the first.
void write_summary(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o,
		   const Expected *expect);

} // namespace pystack
