// SPDX-License-Identifier: GPL-2.0
// The benchmark's results: raw samples per (workload, path), and the table,
// CSV files and ratios made from them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "stats.hpp"

namespace cfur::bench {

struct Workload {
	std::string name;	 // "chase", "read-64K", ...
	std::uint32_t size = 0;	 // bytes per read
	bool throughput = false; // also report GB/s
	// The plain workload this one is a contended variant of, if any.
	std::optional<std::string> contended_of;
};

struct Row {
	std::string workload;
	std::string path;
	Summary ns_per_read;
	std::optional<double> gb_per_s;	       // for throughput workloads, from the median
	std::optional<double> ratio_to_helper; // this path's ns / the helper's ns
	std::optional<double> slowdown;	       // contended median / plain median
};

class Results {
public:
	Results(std::vector<Workload> workloads, std::vector<std::string> paths,
		std::string reference_path);

	void add(const std::string &workload, const std::string &path, double ns_per_read);

	// One row per (workload, path) that has samples, in workload then path
	// order.
	std::vector<Row> rows() const;

	void write_table(std::ostream &os) const;
	void write_summary_csv(std::ostream &os) const;
	void write_samples_csv(std::ostream &os) const;
	// Median ns per read, a row per workload and a column per path (for
	// the chart).
	void write_matrix_csv(std::ostream &os) const;

private:
	std::optional<Summary> summary(const std::string &workload, const std::string &path) const;

	std::vector<Workload> workloads_;
	std::vector<std::string> paths_;
	std::string reference_;
	std::map<std::pair<std::string, std::string>, std::vector<double>> samples_;
};

// "1.23 us", "456 ns", "7.8 ms": a duration in nanoseconds for people.
std::string format_ns(double ns);

} // namespace cfur::bench
