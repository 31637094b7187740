// SPDX-License-Identifier: GPL-2.0
#include "results.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "strf.hpp"

namespace cfur::bench {

Results::Results(std::vector<Workload> workloads, std::vector<std::string> paths,
		 std::string reference_path)
	: workloads_(std::move(workloads)), paths_(std::move(paths)),
	  reference_(std::move(reference_path))
{
}

void Results::add(const std::string &workload, const std::string &path, double ns_per_read)
{
	auto wl = std::find_if(workloads_.begin(), workloads_.end(),
			       [&](const Workload &w) { return w.name == workload; });
	if (wl == workloads_.end())
		throw std::invalid_argument("unknown workload " + workload);
	if (std::find(paths_.begin(), paths_.end(), path) == paths_.end())
		throw std::invalid_argument("unknown path " + path);
	samples_[{workload, path}].push_back(ns_per_read);
}

std::optional<Summary> Results::summary(const std::string &workload, const std::string &path) const
{
	auto it = samples_.find({workload, path});
	if (it == samples_.end() || it->second.empty())
		return std::nullopt;
	return summarize(it->second);
}

std::vector<Row> Results::rows() const
{
	std::vector<Row> rows;
	for (const auto &w : workloads_) {
		auto ref = summary(w.name, reference_);
		for (const auto &p : paths_) {
			auto s = summary(w.name, p);
			if (!s)
				continue;
			Row r{w.name, p, *s, {}, {}, {}};
			if (w.throughput && s->median > 0)
				r.gb_per_s = w.size / s->median; // bytes per ns == GB/s
			if (ref && ref->median > 0)
				r.ratio_to_helper = s->median / ref->median;
			if (w.contended_of) {
				auto plain = summary(*w.contended_of, p);
				if (plain && plain->median > 0)
					r.slowdown = s->median / plain->median;
			}
			rows.push_back(std::move(r));
		}
	}
	return rows;
}

std::string format_ns(double ns)
{
	if (ns >= 1e6)
		return strf("%.2f ms", ns / 1e6);
	if (ns >= 1e4)
		return strf("%.1f us", ns / 1e3);
	if (ns >= 1e3)
		return strf("%.2f us", ns / 1e3);
	return strf("%.0f ns", ns);
}

namespace {

std::string opt(const std::optional<double> &v, const char *fmt)
{
	return v ? strf(fmt, *v) : std::string("-");
}

} // namespace

void Results::write_table(std::ostream &os) const
{
	const std::vector<std::string> head = {"workload", "path", "median/read", "IQR",     "min",
					       "max",	   "GB/s", "x helper",	  "slowdown"};
	std::vector<std::vector<std::string>> cells;
	for (const auto &r : rows()) {
		cells.push_back({r.workload, r.path, format_ns(r.ns_per_read.median),
				 strf("%.1f%%", r.ns_per_read.spread_percent()),
				 format_ns(r.ns_per_read.min), format_ns(r.ns_per_read.max),
				 opt(r.gb_per_s, "%.2f"), opt(r.ratio_to_helper, "%.2fx"),
				 opt(r.slowdown, "%.2fx")});
	}
	std::vector<std::size_t> width(head.size());
	for (std::size_t i = 0; i < head.size(); ++i) {
		width[i] = head[i].size();
		for (const auto &c : cells)
			width[i] = std::max(width[i], c[i].size());
	}
	auto line = [&](const std::vector<std::string> &c) {
		for (std::size_t i = 0; i < c.size(); ++i) {
			// Text columns left-aligned, numbers right-aligned.
			if (i < 2)
				os << std::left << std::setw(static_cast<int>(width[i])) << c[i];
			else
				os << std::right << std::setw(static_cast<int>(width[i])) << c[i];
			os << (i + 1 < c.size() ? "  " : "\n");
		}
	};
	line(head);
	std::string prev;
	for (const auto &c : cells) {
		if (!prev.empty() && c[0] != prev)
			os << '\n';
		prev = c[0];
		line(c);
	}
}

void Results::write_summary_csv(std::ostream &os) const
{
	os << "workload,path,samples,median_ns,p25_ns,p75_ns,min_ns,max_ns,gb_per_s,"
	      "ratio_to_helper,slowdown\n";
	auto num = [](const std::optional<double> &v) {
		return v ? strf("%.4f", *v) : std::string();
	};
	for (const auto &r : rows()) {
		const auto &s = r.ns_per_read;
		os << r.workload << ',' << r.path << ',' << s.n << ','
		   << strf("%.1f,%.1f,%.1f,%.1f,%.1f", s.median, s.p25, s.p75, s.min, s.max) << ','
		   << num(r.gb_per_s) << ',' << num(r.ratio_to_helper) << ',' << num(r.slowdown)
		   << '\n';
	}
}

void Results::write_matrix_csv(std::ostream &os) const
{
	os << "workload";
	for (const auto &p : paths_)
		os << ',' << p;
	os << '\n';
	for (const auto &w : workloads_) {
		os << w.name;
		for (const auto &p : paths_) {
			auto s = summary(w.name, p);
			os << ',' << (s ? strf("%.1f", s->median) : std::string());
		}
		os << '\n';
	}
}

void Results::write_samples_csv(std::ostream &os) const
{
	os << "workload,path,rep,ns_per_read\n";
	for (const auto &w : workloads_)
		for (const auto &p : paths_) {
			auto it = samples_.find({w.name, p});
			if (it == samples_.end())
				continue;
			for (std::size_t i = 0; i < it->second.size(); ++i)
				os << w.name << ',' << p << ',' << i << ','
				   << strf("%.1f", it->second[i]) << '\n';
		}
}

} // namespace cfur::bench
