// SPDX-License-Identifier: GPL-2.0
#include "sampler.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "strf.hpp"

namespace pystack {
namespace {

double clock_ns(clockid_t clock)
{
	timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

std::string describe_error(const py_sample &s)
{
	if (s.error)
		return cfur::strf("reading the interpreter state failed: %s", std::strerror(-s.error));
	for (std::uint32_t i = 0; i < s.nthreads && i < PY_MAX_THREADS; i++)
		if (s.threads[i].error)
			return cfur::strf("thread %llu: a read failed: %s",
					  static_cast<unsigned long long>(s.threads[i].native_tid),
					  std::strerror(-s.threads[i].error));
	return {};
}

} // namespace

void WalkerStats::add(const std::vector<ThreadStack> &stacks, const py_sample &s, double cpu,
		      double wall, std::uint64_t sys, const Expected *expect)
{
	samples++;
	cpu_ns += cpu;
	wall_ns += wall;
	syscalls += sys;
	reads += s.reads;
	std::string err = describe_error(s);
	if (!err.empty()) {
		errors++;
		if (first_error.empty())
			first_error = err;
	}
	for (const ThreadStack &t : stacks) {
		if (t.frames.empty())
			continue;
		threads++;
		frames += t.frames.size();
		max_depth = std::max<std::uint64_t>(max_depth, t.frames.size());
	}
	if (expect && expect->matches(stacks))
		matched++;
	profile.add(stacks);
}

std::vector<WalkerStats> sample_all(const Options &o, std::vector<std::unique_ptr<Walker>> &walkers,
				    const Expected *expect)
{
	std::vector<WalkerStats> stats(walkers.size());
	for (std::size_t w = 0; w < walkers.size(); w++)
		stats[w].name = walkers[w]->name();
	auto period = std::chrono::nanoseconds(1000000000 / o.rate);
	auto next = std::chrono::steady_clock::now();
	unsigned long n = o.sample_count();
	for (unsigned long i = 0; i < n; i++) {
		for (std::size_t k = 0; k < walkers.size(); k++) {
			std::size_t w = (i + k) % walkers.size();
			std::uint64_t sys0 = walkers[w]->syscalls();
			double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall0 = clock_ns(CLOCK_MONOTONIC);
			const py_sample &s = walkers[w]->sample();
			double cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
			double wall = clock_ns(CLOCK_MONOTONIC) - wall0;
			stats[w].add(stacks_of(s), s, cpu, wall, walkers[w]->syscalls() - sys0, expect);
		}
		next += period;
		auto now = std::chrono::steady_clock::now();
		if (next > now)
			std::this_thread::sleep_until(next);
		else
			next = now;
	}
	return stats;
}

void write_summary(std::ostream &out, const std::vector<WalkerStats> &stats, const Expected *expect)
{
	out << cfur::strf("%-6s %8s %7s %16s %10s %9s %14s %16s %13s\n", "walker", "samples", "errors",
			  "matched", "mean depth", "max depth", "CPU/sample", "syscalls/sample",
			  "reads/sample");
	for (const WalkerStats &s : stats) {
		std::string matched =
			expect ? cfur::strf("%llu (%.2f%%)", static_cast<unsigned long long>(s.matched),
					    s.match_percent())
			       : "-";
		out << cfur::strf("%-6s %8llu %7llu %16s %10.1f %9llu %11.1f us %16.1f %13.1f\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.samples),
				  static_cast<unsigned long long>(s.errors), matched.c_str(),
				  s.mean_depth(), static_cast<unsigned long long>(s.max_depth),
				  s.per_sample(s.cpu_ns) / 1000, s.per_sample(s.syscalls),
				  s.per_sample(s.reads));
	}
	for (const WalkerStats &s : stats)
		if (!s.first_error.empty())
			out << s.name << ": first error: " << s.first_error << '\n';
	// Every other walker against the first, per sample.
	if (stats.size() < 2 || !stats[0].samples)
		return;
	const WalkerStats &a = stats[0];
	auto ratio = [](double x, double y) { return y > 0 ? x / y : 0; };
	for (std::size_t i = 1; i < stats.size(); i++) {
		const WalkerStats &b = stats[i];
		if (!b.samples)
			continue;
		out << cfur::strf("%s/%s per sample: CPU %.2fx, syscalls %.1fx, wall %.2fx\n",
				  b.name.c_str(), a.name.c_str(),
				  ratio(b.per_sample(b.cpu_ns), a.per_sample(a.cpu_ns)),
				  ratio(b.per_sample(b.syscalls), a.per_sample(a.syscalls)),
				  ratio(b.per_sample(b.wall_ns), a.per_sample(a.wall_ns)));
	}
}

} // namespace pystack
