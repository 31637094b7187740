// SPDX-License-Identifier: GPL-2.0
#include "sampler.hpp"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "strf.hpp"

namespace pystack {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWarmUp = 3;	// samples per walker before the counted ones

double clock_ns(clockid_t clock)
{
	timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// A process that exited (or is a zombie: no memory left to read).
bool gone(pid_t pid)
{
	std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
	std::string line;
	if (!std::getline(f, line))
		return true;
	std::size_t paren = line.rfind(')');
	char state = paren != std::string::npos && paren + 2 < line.size() ? line[paren + 2] : '?';
	return state == 'Z' || state == 'X';
}

// A target whose walk failed because it is exiting or gone: the helper and
// process_vm_readv say ESRCH once its memory is released; after that
// /proc says so.
bool exited(const py_target &t) { return t.error == -ESRCH || gone(t.pid); }

bool is_busy(int state)
{
	return state == PY_STATE_ON_CPU || state == PY_STATE_RUNNABLE || state == PY_STATE_RUNNING;
}

std::string describe_error(const SampleView &v, const std::vector<ThreadSample> &threads)
{
	for (const py_target &t : v.targets)
		if (t.error && !exited(t))
			return cfur::strf("pid %d: reading the interpreter state failed: %s", t.pid,
					  std::strerror(-t.error));
	for (const ThreadSample &t : threads)
		if (t.error && t.consistency != PY_TORN)
			return cfur::strf("pid %d thread %llu: a read failed: %s", t.pid,
					  static_cast<unsigned long long>(t.tid), std::strerror(-t.error));
	return {};
}

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

// Why the walker's torn thread walks were torn, retried ones included.
std::string torn_walks(const WalkerStats &s)
{
	auto n = [&](int why) { return static_cast<unsigned long long>(s.torn[why]); };
	return cfur::strf("%s: torn walks: %llu moved right after the copy, %llu changed during the "
			  "walk, %llu with a frame half made, %llu with a frame read alone above the "
			  "copy, %llu exited\n",
			  s.name.c_str(), n(PY_TORN_MOVED), n(PY_TORN_AFTER), n(PY_TORN_HALF_MADE),
			  n(PY_TORN_ALONE), n(PY_TORN_GONE));
}

} // namespace

void WalkerStats::add(const SampleView &v, const std::vector<ThreadSample> &threads, double cpu,
		      double wall, std::uint64_t sys, const Expected *expect, const Options &o)
{
	samples++;
	cpu_ns += cpu;
	wall_ns += wall;
	syscalls += sys;
	reads += v.hdr->reads;
	bytes += v.hdr->bytes;
	symbols_sent += v.hdr->symbols_sent;
	symbols_lost += v.hdr->symbols_lost;
	code_checks += v.hdr->code_checks;
	code_reused += v.hdr->code_reused;
	retries += v.hdr->retries;
	for (int why = 0; why < PY_TORN_WHY; why++)
		torn[why] += v.hdr->torn[why];
	std::string err = describe_error(v, threads);
	if (!err.empty()) {
		errors++;
		if (first_error.empty())
			first_error = err;
	}
	for (const py_target &t : v.targets)
		if (t.more_threads) {
			more_threads++;
			break;
		}
	std::vector<ThreadSample> kept;
	for (const ThreadSample &t : threads) {
		thread_samples++;
		by_class[std::min(t.consistency, 3)]++;
		if (is_busy(t.state)) {
			busy++;
			busy_kept += t.consistency == PY_QUIET || t.consistency == PY_CHECKED;
		}
		if (t.gil)
			gil["P" + std::to_string(t.pid) + " " + t.thread]++;
		if (o.consistent && t.consistency == PY_TORN) {
			dropped++;
			continue;
		}
		if (o.gil && !t.gil)
			continue;
		kept.push_back(t);
		if (t.frames.empty())
			continue;
		stacks++;
		frames += t.frames.size();
		truncated += t.truncated;
		max_depth = std::max<std::uint64_t>(max_depth, t.frames.size());
		profile.add(t);
	}
	if (expect && expect->matches(kept, o.idle))
		matched++;
}

void WalkerStats::forget_samples()
{
	WalkerStats fresh;
	fresh.name = std::move(name);
	fresh.profile = Profile(profile.idle_marker());
	fresh.symbols = std::move(symbols);
	fresh.frames_made = std::move(frames_made);
	fresh.per_sample_symbols = per_sample_symbols;
	fresh.checks_consistency = checks_consistency;
	*this = std::move(fresh);
}

void TargetSet::add(pid_t pid)
{
	if (contains(pid))
		return;
	if (targets_.size() >= o_.max_targets)
		throw std::runtime_error(cfur::strf("pid %d: already %u targets, --max-targets", pid,
						    o_.max_targets));
	TargetInfo t = open_target(pid, o_.layout, o_.debug_root);
	names_.add_process(pid, t.py.runtime, t.offsets);
	targets_.push_back(std::move(t));
	update();
}

void TargetSet::remove(pid_t pid)
{
	auto it = std::find_if(targets_.begin(), targets_.end(),
			       [&](const TargetInfo &t) { return t.py.pid == pid; });
	if (it == targets_.end())
		return;
	targets_.erase(it);
	names_.remove_process(pid);
	update();
}

bool TargetSet::contains(pid_t pid) const
{
	return std::any_of(targets_.begin(), targets_.end(),
			   [&](const TargetInfo &t) { return t.py.pid == pid; });
}

void TargetSet::rescan(std::ostream &log)
{
	for (pid_t root : o_.pids)
		for (pid_t pid : descendants_of(root)) {
			if (contains(pid) || gone(pid))
				continue;
			// a process may not run Python yet: tried again, told once
			try {
				add(pid);
				log << cfur::strf("pystack: sampling pid %d too (a descendant of %d)\n", pid,
						  root);
			} catch (const std::exception &e) {
				if (skipped_.insert(pid).second)
					log << "pystack: not sampling (yet) " << e.what() << '\n';
			}
		}
}

std::vector<Target> TargetSet::walk_targets() const
{
	std::vector<Target> out;
	for (const TargetInfo &t : targets_)
		out.push_back({t.py.pid, t.layout});
	return out;
}

void TargetSet::update()
{
	std::vector<Target> t = walk_targets();
	for (Walker *w : walkers_)
		w->set_targets(t);
}

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
	}
	Turn turn(o, names, expect);
	const auto period = std::chrono::nanoseconds(1000000000 / o.rate);
	const unsigned long n = o.sample_count();
	// sleeps end when they should, not up to 50 us later
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	auto last_scan = Clock::now();
	// one sample of walker w; false when no target is left
	auto take = [&](std::size_t w) {
		for (pid_t pid : turn.take(*walkers[w], stats[w])) {
			log << cfur::strf("pystack: pid %d exited (during %s's sample %llu); going on with "
					  "the others\n",
					  pid, stats[w].name.c_str(),
					  static_cast<unsigned long long>(stats[w].samples));
			targets.remove(pid);
		}
		if (o.children && Clock::now() - last_scan >= std::chrono::seconds(1)) {
			last_scan = Clock::now();
			targets.rescan(log);
		}
		return !targets.targets().empty();
	};
	// waits for the next tick. A sample that ends less than a period late
	// is followed at once, keeping the pace; later than that, the ticks
	// missed are counted and the pace starts again from now.
	auto pace = [&](Clock::time_point &next, WalkerStats &st) {
		next += period;
		auto now = Clock::now();
		if (next > now) {
			std::this_thread::sleep_until(next);
		} else if (now - next >= period) {
			st.late += static_cast<std::uint64_t>((now - next) / period);
			next = now;
		}
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
	log << cfur::strf("pystack: sampling %zu processes at %u Hz, %lu samples per walker\n",
			  targets.targets().size(), o.rate, n);
	if (o.slice_ms <= 0) {
		auto start = Clock::now(), next = start;
		for (unsigned long i = 0; i < n && left; i++) {
			for (std::size_t k = 0; k < walkers.size() && left; k++)
				left = take((i + k) % walkers.size());
			pace(next, stats[0]);
		}
		double elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
		for (WalkerStats &st : stats) {
			st.active_ns = elapsed;
			st.late = stats[0].late;
		}
	} else {
		const auto slice = std::chrono::duration_cast<Clock::duration>(
			std::chrono::duration<double, std::milli>(o.slice_ms));
		bool more = true;
		while (more && left) {
			more = false;
			for (std::size_t w = 0; w < walkers.size() && left; w++) {
				if (stats[w].samples >= n)
					continue;
				auto start = Clock::now(), end = start + slice, next = start;
				while (left && stats[w].samples < n && Clock::now() < end) {
					left = take(w);
					pace(next, stats[w]);
				}
				stats[w].active_ns +=
					std::chrono::duration<double, std::nano>(Clock::now() - start).count();
				more = more || stats[w].samples < n;
			}
		}
	}
	if (!left)
		log << "pystack: no target left to sample\n";
	return stats;
}

void write_summary_csv(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o)
{
	out << "walker,samples,requested_hz,rate_hz,errors,matched_pct,cpu_us,all_cpu_us,syscalls,reads,"
	       "kib,quiet_pct,checked_pct,torn_pct,unchecked_pct,busy,busy_kept_pct,dropped\n";
	for (const WalkerStats &s : stats) {
		auto pct = [&](int c) { return s.percent(s.by_class[c], s.thread_samples); };
		out << cfur::strf("%s,%llu,%u,%.1f,%llu,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%llu,"
				  "%.2f,%llu\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.samples), o.rate, s.rate(),
				  static_cast<unsigned long long>(s.errors), s.match_percent(),
				  s.per_sample(s.cpu_ns) / 1000, s.per_sample(s.all_cpu_ns) / 1000,
				  s.per_sample(s.syscalls), s.per_sample(s.reads), s.per_sample(s.bytes) / 1024,
				  pct(PY_QUIET), pct(PY_CHECKED), pct(PY_TORN), pct(PY_UNCHECKED),
				  static_cast<unsigned long long>(s.busy), s.percent(s.busy_kept, s.busy),
				  static_cast<unsigned long long>(s.dropped));
	}
}

void write_summary(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o,
		   const Expected *expect)
{
	out << cfur::strf("%-6s %8s %9s %7s %16s %10s %9s %13s %13s %15s %12s %11s\n", "walker",
			  "samples", "rate", "errors", "matched", "mean depth", "max depth", "CPU/sample",
			  "all CPU", "syscalls/sample", "reads/sample", "KiB/sample");
	for (const WalkerStats &s : stats) {
		std::string matched =
			expect ? cfur::strf("%llu (%.2f%%)", static_cast<unsigned long long>(s.matched),
					    s.match_percent())
			       : "-";
		out << cfur::strf("%-6s %8llu %6.0f Hz %7llu %16s %10.1f %9llu %10.1f us %10.1f us %15.1f "
				  "%12.1f %11.2f\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.samples), s.rate(),
				  static_cast<unsigned long long>(s.errors), matched.c_str(),
				  s.mean_depth(), static_cast<unsigned long long>(s.max_depth),
				  s.per_sample(s.cpu_ns) / 1000, s.per_sample(s.all_cpu_ns) / 1000,
				  s.per_sample(s.syscalls), s.per_sample(s.reads),
				  s.per_sample(s.bytes) / 1024);
	}
	out << cfur::strf("%-6s %14s %8s %8s %8s %10s %16s %8s\n", "walker", "thread samples", "quiet",
			  "checked", "torn", "unchecked", "busy kept", "dropped");
	for (const WalkerStats &s : stats) {
		auto pct = [&](int c) { return s.percent(s.by_class[c], s.thread_samples); };
		out << cfur::strf("%-6s %14llu %7.1f%% %7.1f%% %7.1f%% %9.1f%% %7.1f%% of %-6llu %8llu\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.thread_samples),
				  pct(PY_QUIET), pct(PY_CHECKED), pct(PY_TORN), pct(PY_UNCHECKED),
				  s.percent(s.busy_kept, s.busy), static_cast<unsigned long long>(s.busy),
				  static_cast<unsigned long long>(s.dropped));
	}
	for (const WalkerStats &s : stats) {
		if (!s.first_error.empty())
			out << s.name << ": first error: " << s.first_error << '\n';
		if (s.truncated)
			out << cfur::strf("%s: %llu thread stacks were cut at --max-depth %u: raise it\n",
					  s.name.c_str(), static_cast<unsigned long long>(s.truncated),
					  o.max_depth);
		if (s.more_threads)
			out << cfur::strf("%s: %llu samples had more Python threads than --max-threads %u; "
					  "the rest were not sampled: raise it\n",
					  s.name.c_str(), static_cast<unsigned long long>(s.more_threads),
					  o.max_threads);
		if (s.symbols_lost)
			out << cfur::strf("%s: %llu code objects did not fit the ring buffer; their frames "
					  "show as ?\n",
					  s.name.c_str(), static_cast<unsigned long long>(s.symbols_lost));
		if (!s.per_sample_symbols)
			out << cfur::strf("%s: %llu code objects read, %llu checked again, %llu found "
					  "reused; %llu walks again after a torn one; %llu ticks late\n",
					  s.name.c_str(), static_cast<unsigned long long>(s.symbols_sent),
					  static_cast<unsigned long long>(s.code_checks),
					  static_cast<unsigned long long>(s.code_reused),
					  static_cast<unsigned long long>(s.retries),
					  static_cast<unsigned long long>(s.late));
		if (s.checks_consistency && s.by_class[PY_TORN] + s.retries)
			out << torn_walks(s);
	}
	if (!stats.empty() && !stats[0].gil.empty()) {
		const WalkerStats &s = stats[0];
		for (const auto &[holder, n] : s.gil)
			out << cfur::strf("GIL (%s): %s held it in %.1f%% of samples\n", s.name.c_str(),
					  holder.c_str(), s.percent(n, s.samples));
	}
	// Every other walker against the first, per sample.
	if (stats.size() < 2 || !stats[0].samples)
		return;
	const WalkerStats &a = stats[0];
	auto ratio = [](double x, double y) { return y > 0 ? x / y : 0; };
	for (std::size_t i = 1; i < stats.size(); i++) {
		const WalkerStats &b = stats[i];
		if (!b.samples)
			continue;
		out << cfur::strf("%s/%s per sample: CPU %.2fx, syscalls %.1fx, reads %.1fx, wall %.2fx\n",
				  b.name.c_str(), a.name.c_str(),
				  ratio(b.per_sample(b.cpu_ns), a.per_sample(a.cpu_ns)),
				  ratio(b.per_sample(b.syscalls), a.per_sample(a.syscalls)),
				  ratio(b.per_sample(b.reads), a.per_sample(a.reads)),
				  ratio(b.per_sample(b.wall_ns), a.per_sample(a.wall_ns)));
	}
}

} // namespace pystack
