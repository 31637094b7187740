// SPDX-License-Identifier: GPL-2.0
#include "options.hpp"

#include "command_line.hpp"

namespace cfur::bench {
namespace {

const char kDescription[] =
	"Reads another process's memory six ways, alternating the paths within every repetition,\n"
	"and prints each path's cost per read and its ratio to bpf_copy_from_user_remote; writes\n"
	"table.txt, summary.csv and samples.csv to --out.";

// CLI11's check for --scale: "" or what is wrong.
std::string check_scale(const std::string &text)
{
	double d = 0;
	if (!CLI::detail::lexical_cast(text, d) || !(d > 0 && d <= 100))
		return "takes a number above 0 and at most 100, not '" + text + "'";
	return {};
}

const std::vector<std::string> kWorkloads = {"read-8B",	 "read-64B", "read-4K",
					     "read-64K", "chase",    "chase+churn"};

} // namespace

Options parse_options(const std::vector<std::string> &args)
{
	Options o;
	CLI::App app{kDescription, "cfur-bench"};
	app.add_option("--reps", o.reps,
		       "repetitions of every (workload, path) pair (1..1000; default 5)")
		->check(CLI::Range(1, 1000));
	app.add_option("--scale", o.scale,
		       "multiply every workload's read count (above 0, at most 100; default 1: the "
		       "chase does 100000 reads)")
		->check(check_scale);
	app.add_option("--churn-threads", o.churn_threads,
		       "threads of the target that mmap/munmap in the contended chase (1..64; default 2)")
		->check(CLI::Range(1, 64));
	app.add_option("--out", o.out_dir,
		       "where table.txt, summary.csv and samples.csv go (default bench-out)");
	app.add_option("--accel", o.accel,
		       "the accelerator to report (default: from the kernel command line's "
		       "cfur.accel=, else native)");
	app.add_option("--workloads", o.workloads,
		       "only these, comma-separated: read-8B, read-64B, read-4K, read-64K, chase, chase+churn")
		->delimiter(',')
		->check(CLI::IsMember(kWorkloads));
	cli::parse(app, args);
	return o;
}

} // namespace cfur::bench
