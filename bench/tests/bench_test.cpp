// SPDX-License-Identifier: GPL-2.0
// The benchmark's statistics, table, CSV, targets, options and its list of
// paths.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "command_line.hpp"
#include "options.hpp"
#include "path_list.hpp"
#include "results.hpp"
#include "stats.hpp"
#include "targets.hpp"

using namespace cfur::bench;

const auto error_of = cfur::cli::error_finder(parse_options);

TEST(Stats, OddCountMedianAndQuartiles)
{
	std::vector<double> v = {5, 1, 4, 2, 3};
	Summary s = summarize(v);
	EXPECT_EQ(s.n, 5u);
	EXPECT_DOUBLE_EQ(s.median, 3);
	EXPECT_DOUBLE_EQ(s.min, 1);
	EXPECT_DOUBLE_EQ(s.max, 5);
	EXPECT_DOUBLE_EQ(s.p25, 2);
	EXPECT_DOUBLE_EQ(s.p75, 4);
	EXPECT_NEAR(s.spread_percent(), 66.67, 0.01);
}

TEST(Stats, EvenCountInterpolates)
{
	std::vector<double> v = {10, 40, 20, 30};
	Summary s = summarize(v);
	EXPECT_DOUBLE_EQ(s.median, 25);
	EXPECT_DOUBLE_EQ(s.p25, 17.5);
	EXPECT_DOUBLE_EQ(s.p75, 32.5);
}

TEST(Stats, OneSampleHasNoSpread)
{
	std::vector<double> v = {7};
	Summary s = summarize(v);
	EXPECT_DOUBLE_EQ(s.median, 7);
	EXPECT_DOUBLE_EQ(s.spread_percent(), 0);
}

TEST(Stats, NoSamplesIsAnError)
{
	std::vector<double> v;
	EXPECT_THROW(summarize(v), std::invalid_argument);
}

namespace {

Results sample_results()
{
	Results r({{"read-64K", 65536, true, {}},
		   {"chase", 64, false, {}},
		   {"chase+churn", 64, false, std::string("chase")}},
		  {"helper", "task-each", "pvm_readv"}, "helper");
	for (double ns : {100.0, 110.0, 90.0})
		r.add("chase", "helper", ns);
	for (double ns : {200.0, 200.0, 200.0})
		r.add("chase", "task-each", ns);
	for (double ns : {500.0, 400.0, 600.0})
		r.add("chase", "pvm_readv", ns);
	r.add("chase+churn", "helper", 300);
	r.add("read-64K", "helper", 65536);    // 1 GB/s
	r.add("read-64K", "pvm_readv", 32768); // 2 GB/s
	return r;
}

const Row &row(const std::vector<Row> &rows, const std::string &w, const std::string &p)
{
	for (const auto &r : rows)
		if (r.workload == w && r.path == p)
			return r;
	throw std::out_of_range(w + "/" + p);
}

} // namespace

TEST(Results, RatiosToTheHelperAndSlowdown)
{
	auto rows = sample_results().rows();
	EXPECT_DOUBLE_EQ(*row(rows, "chase", "helper").ratio_to_helper, 1.0);
	EXPECT_DOUBLE_EQ(*row(rows, "chase", "task-each").ratio_to_helper, 2.0);
	EXPECT_DOUBLE_EQ(*row(rows, "chase", "pvm_readv").ratio_to_helper, 5.0);
	EXPECT_DOUBLE_EQ(*row(rows, "chase+churn", "helper").slowdown, 3.0);
	EXPECT_FALSE(row(rows, "chase", "helper").slowdown);
	EXPECT_DOUBLE_EQ(*row(rows, "read-64K", "helper").gb_per_s, 1.0);
	EXPECT_FALSE(row(rows, "chase", "helper").gb_per_s);
	// No samples, no row.
	EXPECT_THROW(row(rows, "chase+churn", "task-each"), std::out_of_range);
}

TEST(Results, UnknownNamesAreRejected)
{
	Results r({{"chase", 64, false, {}}}, {"helper"}, "helper");
	EXPECT_THROW(r.add("nope", "helper", 1), std::invalid_argument);
	EXPECT_THROW(r.add("chase", "nope", 1), std::invalid_argument);
}

TEST(Results, TableAlignsAndShowsRatios)
{
	std::ostringstream os;
	sample_results().write_table(os);
	std::string t = os.str();
	EXPECT_NE(t.find("workload"), std::string::npos);
	EXPECT_NE(t.find("5.00x"), std::string::npos);
	EXPECT_NE(t.find("3.00x"), std::string::npos);
	// Every line of a block is as wide as the header.
	std::istringstream is(t);
	std::string head, line;
	std::getline(is, head);
	while (std::getline(is, line)) {
		if (!line.empty()) {
			EXPECT_EQ(line.size(), head.size()) << line;
		}
	}
}

TEST(Results, SummaryCsvHasOneRowPerPair)
{
	std::ostringstream os;
	sample_results().write_summary_csv(os);
	std::istringstream is(os.str());
	std::string line;
	std::vector<std::string> lines;
	while (std::getline(is, line))
		lines.push_back(line);
	ASSERT_EQ(lines.size(), 1u + 6u);
	EXPECT_EQ(lines[0].rfind("workload,path,samples,median_ns", 0), 0u);
	EXPECT_EQ(lines[4], "chase,task-each,3,200.0,200.0,200.0,200.0,200.0,,2.0000,");
}

TEST(Results, MatrixLeavesMissingCellsEmpty)
{
	std::ostringstream os;
	sample_results().write_matrix_csv(os);
	EXPECT_EQ(os.str(), "workload,helper,task-each,pvm_readv\n"
			    "read-64K,65536.0,,32768.0\n"
			    "chase,100.0,200.0,500.0\n"
			    "chase+churn,300.0,,\n");
}

TEST(Results, TheKfuncSitsBesideTheHelper)
{
	Results r({{"chase", 64, false, {}}}, {"helper", "kfunc", "pvm_readv"}, "helper");
	r.add("chase", "helper", 100);
	r.add("chase", "kfunc", 110);
	r.add("chase", "pvm_readv", 400);
	auto rows = r.rows();
	EXPECT_DOUBLE_EQ(*row(rows, "chase", "kfunc").ratio_to_helper, 1.1);
	std::ostringstream os;
	r.write_matrix_csv(os);
	EXPECT_EQ(os.str(), "workload,helper,kfunc,pvm_readv\n"
			    "chase,100.0,110.0,400.0\n");
}

TEST(Paths, SixPathsTheKfuncSecond)
{
	const auto &paths = all_paths();
	ASSERT_EQ(paths.size(), 6u);
	EXPECT_EQ(paths[0].name, "helper");
	EXPECT_EQ(paths[0].id, PathId::Remote);
	EXPECT_EQ(paths[1].name, "kfunc");
	EXPECT_EQ(paths[1].id, PathId::Kfunc);
	std::set<std::string> names;
	std::set<PathId> ids;
	for (const auto &p : paths) {
		names.insert(p.name);
		ids.insert(p.id);
		EXPECT_FALSE(p.description.empty()) << p.name;
		EXPECT_LE(p.name.size(), 10u) << p.name << " is wider than the header's column";
	}
	EXPECT_EQ(names.size(), paths.size());
	EXPECT_EQ(ids.size(), paths.size());
}

TEST(Format, Durations)
{
	EXPECT_EQ(format_ns(456), "456 ns");
	EXPECT_EQ(format_ns(1234), "1.23 us");
	EXPECT_EQ(format_ns(13500), "13.5 us");
	EXPECT_EQ(format_ns(7.8e6), "7.80 ms");
}

TEST(Targets, MetMissedAndNotApplicable)
{
	auto checks = check_targets(sample_results().rows(), false);
	ASSERT_EQ(checks.size(), 4u);
	EXPECT_EQ(checks[0].verdict, "met"); // 100 / 200 = 0.5
	EXPECT_EQ(checks[0].detail, "0.50x");
	EXPECT_EQ(checks[1].verdict, "met");	// 5x vs 2.5x
	EXPECT_EQ(checks[2].verdict, "n/a");	// not under KVM
	EXPECT_EQ(checks[3].verdict, "missed"); // 1 vs 2 GB/s
	auto kvm = check_targets(sample_results().rows(), true);
	EXPECT_EQ(kvm[2].verdict, "met"); // 5x >= 3.5x
}

TEST(Targets, MissingPathsAreNotApplicable)
{
	Results r({{"chase", 64, false, {}}}, {"helper", "task-each"}, "helper");
	r.add("chase", "task-each", 100);
	for (const auto &c : check_targets(r.rows(), true))
		EXPECT_EQ(c.verdict, "n/a") << c.what;
}

TEST(Options, DefaultsAndValues)
{
	Options o = parse_options({});
	EXPECT_EQ(o.reps, 5u);
	o = parse_options({"--reps", "3", "--scale", "0.5", "--out", "x", "--accel", "tcg"});
	EXPECT_EQ(o.reps, 3u);
	EXPECT_DOUBLE_EQ(o.scale, 0.5);
	EXPECT_EQ(o.out_dir, "x");
	EXPECT_EQ(o.accel, "tcg");
}

TEST(Options, WorkloadList)
{
	Options o = parse_options({"--workloads", "chase,read-64K"});
	ASSERT_EQ(o.workloads.size(), 2u);
	EXPECT_EQ(o.workloads[0], "chase");
	EXPECT_EQ(o.workloads[1], "read-64K");
	EXPECT_THROW(parse_options({"--workloads", ","}), std::invalid_argument);
	EXPECT_NE(error_of({"--workloads", "chase,walk"}).find("walk"), std::string::npos);
}

TEST(Options, BadInputNamesTheOptionAndWhatItTakes)
{
	EXPECT_NE(error_of({"--reps", "0"}).find("--reps"), std::string::npos);
	EXPECT_NE(error_of({"--reps", "0"}).find("range 1 to 1000"), std::string::npos);
	EXPECT_NE(error_of({"--reps", "3x"}).find("--reps"), std::string::npos);
	EXPECT_NE(error_of({"--scale", "-1"}).find("--scale: takes a number above 0"),
		  std::string::npos);
	EXPECT_NE(error_of({"--scale", "0"}).find("--scale"), std::string::npos);
	EXPECT_NE(error_of({"--churn-threads", "65"}).find("--churn-threads"), std::string::npos);
	EXPECT_NE(error_of({"--reps"}).find("--reps"), std::string::npos);
	EXPECT_NE(error_of({"--frobnicate"}).find("--frobnicate"), std::string::npos);
	EXPECT_NE(error_of({"--reps", "abc"}).find("abc"), std::string::npos);
}

TEST(Options, HelpNamesTheOptions)
{
	std::string help = cfur::cli::help_of(parse_options);
	for (const char *opt :
	     {"--reps", "--scale", "--churn-threads", "--out", "--accel", "--workloads"})
		EXPECT_NE(help.find(opt), std::string::npos) << opt;
}
