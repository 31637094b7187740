// SPDX-License-Identifier: GPL-2.0
// The run's summary, from the walkers' counters.
#include "summary.hpp"

#include <string>

#include "strf.hpp"

namespace pystack {

void write_summary_csv(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o)
{
	out << "walker,samples,requested_hz,rate_hz,errors,matched_pct,cpu_us,all_cpu_us,syscalls,reads,"
	       "kib,quiet_pct,checked_pct,torn_pct,unchecked_pct,busy,busy_kept_pct,dropped,first_sample_ms,"
	       "last_sample_ms,startup_ms,verified_insns\n";
	for (const WalkerStats &s : stats) {
		auto pct = [&](int c) { return s.percent(s.by_class[c], s.thread_samples); };
		out << cfur::strf("%s,%llu,%u,%.1f,%llu,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%llu,"
				  "%.2f,%llu,%.1f,%.1f,%.1f,%u\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.samples),
				  o.rate, s.rate(), static_cast<unsigned long long>(s.errors),
				  s.match_percent(), s.per_sample(s.cpu_ns) / 1000,
				  s.per_sample(s.all_cpu_ns) / 1000, s.per_sample(s.syscalls),
				  s.per_sample(s.reads), s.per_sample(s.bytes) / 1024,
				  pct(PY_QUIET), pct(PY_CHECKED), pct(PY_TORN), pct(PY_UNCHECKED),
				  static_cast<unsigned long long>(s.busy),
				  s.percent(s.busy_kept, s.busy),
				  static_cast<unsigned long long>(s.dropped), s.first_sample_ms,
				  s.last_sample_ms, s.startup.ms, s.startup.verified_insns);
	}
}

void write_summary(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o,
		   const Expected *expect)
{
	out << cfur::strf("%-6s %8s %9s %7s %16s %10s %9s %13s %13s %15s %12s %11s\n", "walker",
			  "samples", "rate", "errors", "matched", "mean depth", "max depth",
			  "CPU/sample", "all CPU", "syscalls/sample", "reads/sample", "KiB/sample");
	for (const WalkerStats &s : stats) {
		std::string matched = expect ? cfur::strf("%llu (%.2f%%)",
							  static_cast<unsigned long long>(s.matched),
							  s.match_percent())
					     : "-";
		out << cfur::strf("%-6s %8llu %6.0f Hz %7llu %16s %10.1f %9llu %10.1f us %10.1f us %15.1f "
				  "%12.1f %11.2f\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.samples),
				  s.rate(), static_cast<unsigned long long>(s.errors), matched.c_str(),
				  s.mean_depth(), static_cast<unsigned long long>(s.max_depth),
				  s.per_sample(s.cpu_ns) / 1000, s.per_sample(s.all_cpu_ns) / 1000,
				  s.per_sample(s.syscalls), s.per_sample(s.reads),
				  s.per_sample(s.bytes) / 1024);
	}
	out << cfur::strf("%-6s %14s %8s %8s %8s %10s %16s %8s\n", "walker", "thread samples",
			  "quiet", "checked", "torn", "unchecked", "busy kept", "dropped");
	for (const WalkerStats &s : stats) {
		auto pct = [&](int c) { return s.percent(s.by_class[c], s.thread_samples); };
		out << cfur::strf("%-6s %14llu %7.1f%% %7.1f%% %7.1f%% %9.1f%% %7.1f%% of %-6llu %8llu\n",
				  s.name.c_str(), static_cast<unsigned long long>(s.thread_samples),
				  pct(PY_QUIET), pct(PY_CHECKED), pct(PY_TORN), pct(PY_UNCHECKED),
				  s.percent(s.busy_kept, s.busy),
				  static_cast<unsigned long long>(s.busy),
				  static_cast<unsigned long long>(s.dropped));
	}
	for (const WalkerStats &s : stats) {
		out << cfur::strf("%s: first sample %.0f ms after pystack started%s%s\n",
				  s.name.c_str(), s.first_sample_ms,
				  s.startup.detail.empty() ? "" : "; start-up: ",
				  s.startup.detail.c_str());
		if (!s.first_error.empty())
			out << s.name << ": first error: " << s.first_error << '\n';
		if (s.truncated)
			out << cfur::strf("%s: %llu thread stacks were cut at --max-depth %u: raise it\n",
					  s.name.c_str(),
					  static_cast<unsigned long long>(s.truncated), o.max_depth);
		if (s.more_threads)
			out << cfur::strf("%s: %llu samples had more Python threads than --max-threads %u; "
					  "the rest were not sampled: raise it\n",
					  s.name.c_str(),
					  static_cast<unsigned long long>(s.more_threads),
					  o.max_threads);
		if (s.symbols_lost)
			out << cfur::strf("%s: %llu code objects did not fit the ring buffer; their frames "
					  "show as ?\n",
					  s.name.c_str(),
					  static_cast<unsigned long long>(s.symbols_lost));
		if (!s.per_sample_symbols)
			out << cfur::strf("%s: %llu code objects read, %llu checked again, %llu found "
					  "reused; %llu walks again after a torn one; %llu ticks late\n",
					  s.name.c_str(),
					  static_cast<unsigned long long>(s.symbols_sent),
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
			out << cfur::strf("GIL (%s): %s held it in %.1f%% of samples\n",
					  s.name.c_str(), holder.c_str(), s.percent(n, s.samples));
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
