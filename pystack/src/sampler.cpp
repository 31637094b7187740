// SPDX-License-Identifier: GPL-2.0
// The sampling loop: the walkers' turns, their warm-up, and the two ways
// they share the run, by sample or by --slice.
#include "sampler.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "strf.hpp"
#include "ticks.hpp"

namespace pystack {
namespace {

constexpr int kWarmUp = 3; // samples per walker before the counted ones

// One walker's turn: a sample, its symbols, its stacks, its costs; the
// pids that turned out to have exited.
class Turn {
public:
	Turn(const Options &o, ThreadNames &names, const Expected *expect)
		: o_(o), names_(names), expect_(expect)
	{
	}

	std::vector<pid_t> take(Walker &w, WalkerStats &st)
	{
		std::uint64_t sys0 = w.syscalls();
		double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = clock_ns(CLOCK_MONOTONIC);
		// what the sample before cost after its walk: stacks, profile,
		// pacing (read here, so that it costs no clock read of its own)
		if (last_)
			last_->add_all_cpu(cpu0 - last_end_);
		SampleView v = w.sample();
		double cpu1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		double wall = clock_ns(CLOCK_MONOTONIC) - wall0;
		st.last_sample_ms = ms_since_start();
		if (st.first_sample_ms < 0)
			st.first_sample_ms = st.last_sample_ms;
		if (st.per_sample_symbols)
			st.symbols.clear();
		for (const py_symbol &s : v.symbols)
			st.symbols.add(s);
		auto label = [&](pid_t pid, const py_thread &t) { return names_.label(pid, t); };
		std::vector<ThreadSample> threads = stacks_of(v, st.symbols, st.frames_made, label);
		st.add(v, threads, cpu1 - cpu0, wall, w.syscalls() - sys0, expect_, o_);
		st.add_all_cpu(cpu1 - cpu0);
		last_ = &st;
		last_end_ = cpu1;
		std::vector<pid_t> gone_pids;
		for (const py_target &t : v.targets)
			if (t.error && exited(t))
				gone_pids.push_back(t.pid);
		return gone_pids;
	}

	// The last sample's work after its walk is not counted (warm-up).
	void forget_last() { last_ = nullptr; }

private:
	const Options &o_;
	ThreadNames &names_;
	const Expected *expect_;
	WalkerStats *last_ = nullptr;
	double last_end_ = 0;
};

// Without --slice: each tick, every walker takes a sample, one after
// another, the first of them moving on by one each tick (no walker always
// goes first). The pace, and the ticks missed, are the first walker's;
// every walker was active the whole run. It ends after n ticks or at the
// deadline, whichever comes first. Returns false, as `left`, once no
// target is left.
template <typename Take>
bool alternate(const Take &take, std::vector<WalkerStats> &stats, unsigned long n,
	       std::chrono::nanoseconds period, Clock::time_point deadline, bool left)
{
	auto start = Clock::now(), next = start;
	for (unsigned long i = 0; i < n && left && Clock::now() < deadline; i++) {
		for (std::size_t k = 0; k < stats.size() && left; k++)
			left = take((i + k) % stats.size());
		wait_tick(next, period, stats[0].late, deadline);
	}
	double elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
	for (WalkerStats &st : stats) {
		st.active_ns = elapsed;
		st.late = stats[0].late;
	}
	return left;
}

// With --slice: the walkers in turn, each sampling alone at the rate for
// a slice of time or until it has its n samples, round after round until
// every walker has them or the deadline, which cuts a slice short. Each
// slice starts the pace again and counts its walker's ticks missed; a
// walker was active for its slices. Returns false, as `left`, once no
// target is left.
template <typename Take>
bool in_slices(const Take &take, std::vector<WalkerStats> &stats, unsigned long n,
	       std::chrono::nanoseconds period, double slice_ms, Clock::time_point deadline, bool left)
{
	const auto slice = std::chrono::duration_cast<Clock::duration>(
		std::chrono::duration<double, std::milli>(slice_ms));
	bool more = true;
	while (more && left && Clock::now() < deadline) {
		more = false;
		for (std::size_t w = 0; w < stats.size() && left; w++) {
			if (stats[w].samples >= n)
				continue;
			auto start = Clock::now(), end = std::min(start + slice, deadline),
			     next = start;
			while (left && stats[w].samples < n && Clock::now() < end) {
				left = take(w);
				wait_tick(next, period, stats[w].late, end);
			}
			stats[w].active_ns +=
				std::chrono::duration<double, std::nano>(Clock::now() - start).count();
			more = more || stats[w].samples < n;
		}
	}
	return left;
}

} // namespace

std::vector<WalkerStats> sample_all(const Options &o, std::vector<std::unique_ptr<Walker>> &walkers,
				    TargetSet &targets, ThreadNames &names, const Expected *expect,
				    std::ostream &log)
{
	std::vector<WalkerStats> stats(walkers.size());
	for (std::size_t w = 0; w < walkers.size(); w++) {
		stats[w].name = walkers[w]->name();
		stats[w].profile = Profile(o.idle);
		stats[w].per_sample_symbols = walkers[w]->symbols_per_sample();
		stats[w].checks_consistency = walkers[w]->checks_consistency();
		stats[w].startup = walkers[w]->startup();
	}
	Turn turn(o, names, expect);
	const auto period = std::chrono::nanoseconds(1000000000 / o.rate);
	const unsigned long n = o.sample_count();
	tighten_timer_slack();
	// --duration: the time from the first sample, warm-up included, to
	// the last, however far the rate falls behind
	const auto deadline =
		o.by_duration() ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
							 std::chrono::duration<double>(o.duration))
				: Clock::time_point::max();
	auto last_scan = Clock::now();
	bool waiting = false; // --children, every target gone, a pid still running
	// one sample of walker w; false when no target is left (with
	// --children: nor can come, every pid given having exited)
	auto take = [&](std::size_t w) {
		if (!targets.targets().empty())
			for (pid_t pid : turn.take(*walkers[w], stats[w])) {
				log << cfur::strf("pystack: pid %d exited (during %s's sample %llu); going "
						  "on with the others\n",
						  pid, stats[w].name.c_str(),
						  static_cast<unsigned long long>(stats[w].samples));
				targets.remove(pid);
			}
		// with no target, look for one as often as at the start, not
		// every second
		auto every = targets.targets().empty() ? TargetSet::kLookEvery
						       : std::chrono::milliseconds(1000);
		if (o.children && Clock::now() - last_scan >= every) {
			last_scan = Clock::now();
			targets.rescan(log);
		}
		if (!targets.targets().empty()) {
			waiting = false;
			return true;
		}
		// with --samples there is no end to wait for
		if (!o.children || !o.by_duration() || !targets.roots_alive())
			return false;
		if (!waiting)
			log << "pystack: no CPython left to sample; looking for new ones below the pids "
			       "until --duration ends (--children)\n";
		waiting = true;
		return true;
	};
	// A few samples each first, not counted: under TCG the first run of a
	// code path is its translation, which would count against whichever
	// walker goes first.
	bool left = true;
	for (std::size_t w = 0; w < walkers.size() && left; w++) {
		for (int i = 0; i < kWarmUp && left; i++)
			left = take(w);
		turn.forget_last();
		stats[w].forget_samples();
	}
	if (o.by_duration())
		log << cfur::strf("pystack: sampling %zu processes at %u Hz for %g s\n",
				  targets.targets().size(), o.rate, o.duration);
	else
		log << cfur::strf("pystack: sampling %zu processes at %u Hz, %lu samples per walker\n",
				  targets.targets().size(), o.rate, n);
	if (o.slice_ms <= 0)
		left = alternate(take, stats, n, period, deadline, left);
	else
		left = in_slices(take, stats, n, period, o.slice_ms, deadline, left);
	if (!left)
		log << "pystack: no target left to sample\n";
	return stats;
}

} // namespace pystack
