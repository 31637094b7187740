// SPDX-License-Identifier: GPL-2.0
// One walker's counters: what each sample adds to them, and the first
// error they keep.
#include "walker_stats.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "strf.hpp"
#include "target_set.hpp"

namespace pystack {
namespace {

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
					  static_cast<unsigned long long>(t.tid),
					  std::strerror(-t.error));
	return {};
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
	fresh.startup = std::move(startup);
	fresh.first_sample_ms = first_sample_ms;
	fresh.last_sample_ms = last_sample_ms;
	// The code objects read in the warm-up are in the cache for good, and
	// not read again: a parked target's are all read then.
	fresh.symbols_sent = symbols_sent;
	*this = std::move(fresh);
}

std::string torn_walks(const WalkerStats &s)
{
	auto n = [&](int why) { return static_cast<unsigned long long>(s.torn[why]); };
	return cfur::strf("%s: torn walks: %llu moved right after the copy, %llu changed during the "
			  "walk, %llu with a frame half made, %llu with a frame read alone above the "
			  "copy, %llu exited\n",
			  s.name.c_str(), n(PY_TORN_MOVED), n(PY_TORN_AFTER), n(PY_TORN_HALF_MADE),
			  n(PY_TORN_ALONE), n(PY_TORN_GONE));
}

} // namespace pystack
