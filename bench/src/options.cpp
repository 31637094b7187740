// SPDX-License-Identifier: GPL-2.0
#include "options.hpp"

#include <stdexcept>

#include "numbers.hpp"

namespace cfur::bench {

const char *const kUsage =
	"usage: cfur-bench [--reps N] [--scale F] [--churn-threads N] [--out DIR] [--accel NAME]\n"
	"  --reps N           repetitions of every (workload, path) pair (default 5)\n"
	"  --scale F          multiply every workload's read count (default 1; the chase does\n"
	"                     100000 reads at 1)\n"
	"  --churn-threads N  threads of the target that mmap/munmap in the contended chase (2)\n"
	"  --out DIR          where table.txt, summary.csv and samples.csv go (bench-out)\n"
	"  --accel NAME       the accelerator to report (default: from the kernel command\n"
	"                     line's cfur.accel=, else native)\n"
	"  --workloads LIST   only these, comma-separated (read-8B, read-64B, read-4K,\n"
	"                     read-64K, chase, chase+churn)\n";

Options parse_options(const std::vector<std::string> &args)
{
	Options o;
	for (std::size_t i = 0; i < args.size(); ++i) {
		const std::string &a = args[i];
		auto value = [&]() -> const std::string & {
			if (i + 1 >= args.size())
				throw std::invalid_argument(a + " needs a value");
			return args[++i];
		};
		if (a == "--reps")
			o.reps = static_cast<unsigned>(parse_whole(a, value(), 1, 1000));
		else if (a == "--scale")
			o.scale = parse_real(a, value(), 0, 100);
		else if (a == "--churn-threads")
			o.churn_threads = static_cast<unsigned>(parse_whole(a, value(), 1, 64));
		else if (a == "--out")
			o.out_dir = value();
		else if (a == "--accel")
			o.accel = value();
		else if (a == "--workloads") {
			std::string v = value();
			for (std::size_t pos = 0; pos <= v.size();) {
				std::size_t comma = v.find(',', pos);
				if (comma == std::string::npos)
					comma = v.size();
				if (comma > pos)
					o.workloads.push_back(v.substr(pos, comma - pos));
				pos = comma + 1;
			}
			if (o.workloads.empty())
				throw std::invalid_argument("--workloads needs at least one name");
		}
		else
			throw std::invalid_argument("unknown argument '" + a + "'");
	}
	return o;
}

} // namespace cfur::bench
