// SPDX-License-Identifier: GPL-2.0
// cfur-bench: reads another process's memory six ways, alternating the
// paths within every repetition so that drift hits all alike, and prints
// each path's cost per read and its ratio to bpf_copy_from_user_remote.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <sys/utsname.h>
#include <unistd.h>

#include "command_line.hpp"
#include "options.hpp"
#include "paths.hpp"
#include "results.hpp"
#include "strf.hpp"
#include "target.hpp"
#include "targets.hpp"

namespace cfur::bench {
namespace {

struct Plan {
	Workload wl;
	std::uint32_t reads;
	bool chase;
	bool churn;
};

std::vector<Plan> make_plans(double scale)
{
	auto n = [&](double base) {
		return static_cast<std::uint32_t>(std::max(1.0, std::round(base * scale)));
	};
	return {
		{{"read-8B", 8, false, {}}, n(20000), false, false},
		{{"read-64B", 64, false, {}}, n(20000), false, false},
		{{"read-4K", 4096, true, {}}, n(20000), false, false},
		{{"read-64K", 65536, true, {}}, n(2000), false, false},
		{{"chase", kNodeSize, false, {}}, n(100000), true, false},
		{{"chase+churn", kNodeSize, false, std::string("chase")}, n(100000), true, true},
	};
}

std::string detect_accel()
{
	std::ifstream cmdline("/proc/cmdline");
	std::string word;
	while (cmdline >> word)
		if (word.rfind("cfur.accel=", 0) == 0)
			return word.substr(11);
	std::ifstream cpuinfo("/proc/cpuinfo");
	std::string line;
	while (std::getline(cpuinfo, line))
		if (line.rfind("flags", 0) == 0)
			return line.find(" hypervisor") != std::string::npos
				       ? "none (the host kernel, itself in a VM)"
				       : "none (bare metal)";
	return "unknown";
}

std::string kernel_release()
{
	utsname u{};
	uname(&u);
	return u.release;
}

// Checks what a batch read: the chain's addresses, or the pattern.
void verify(const Plan &p, const PathInfo &path, const BatchResult &r, const Target &t)
{
	auto where = [&] { return strf("%s on %s", path.name.c_str(), p.wl.name.c_str()); };
	if (r.error)
		throw std::runtime_error(strf("%s: read %u failed: %s", where().c_str(), r.done + 1,
					      std::strerror(-r.error)));
	if (r.done != p.reads)
		throw std::runtime_error(
			strf("%s: %u of %u reads done", where().c_str(), r.done, p.reads));
	if (p.chase) {
		std::uint64_t want = t.chase_address(p.reads - 1);
		if (r.last != want)
			throw std::runtime_error(strf("%s: the chase ended at %#llx, expected %#llx",
						      where().c_str(), (unsigned long long)r.last,
						      (unsigned long long)want));
		return;
	}
	for (std::size_t i = 0; i < r.data.size(); ++i)
		if (static_cast<std::uint8_t>(r.data[i]) != pattern_byte(i))
			throw std::runtime_error(
				strf("%s: byte %zu differs from the target's", where().c_str(), i));
}

BatchResult run_one(Paths &paths, const PathInfo &path, const Plan &p, const Target &t)
{
	Batch b;
	b.pid = t.pid();
	b.addr = p.chase ? t.chase_address(0) : t.layout().buffer;
	b.size = p.wl.size;
	b.reads = p.reads;
	b.chase = p.chase;
	BatchResult r = paths.run(path.id, b);
	verify(p, path, r, t);
	return r;
}

void write_file(const std::filesystem::path &f, const std::string &text)
{
	std::ofstream os(f);
	os << text;
	if (!os)
		throw std::runtime_error("cannot write " + f.string());
}

int run(const Options &o)
{
	Paths paths;
	std::vector<PathInfo> active;
	std::ostringstream head;
	const std::string accel = o.accel.empty() ? detect_accel() : o.accel;
	head << "cfur-bench: kernel " << kernel_release() << ", accelerator " << accel << ", "
	     << sysconf(_SC_NPROCESSORS_ONLN) << " CPUs, " << o.reps << " repetitions\n";
	if (accel.rfind("tcg", 0) == 0)
		head << "  (TCG emulates the CPU: page walks are dear and syscalls cheap; compare "
			"figures only within this run)\n";
	for (const auto &p : all_paths()) {
		if (auto why = paths.skip_reason(p.id)) {
			head << strf("  %-10s SKIPPED: %s\n", p.name.c_str(), why->c_str());
			continue;
		}
		head << strf("  %-10s %s\n", p.name.c_str(), p.description.c_str());
		active.push_back(p);
	}
	std::cout << head.str() << std::flush;
	if (active.empty())
		throw std::runtime_error("no path can run here");

	auto plans = make_plans(o.scale);
	if (!o.workloads.empty()) {
		std::vector<Plan> chosen;
		for (const auto &name : o.workloads) {
			auto it = std::find_if(plans.begin(), plans.end(),
					       [&](const Plan &p) { return p.wl.name == name; });
			if (it == plans.end())
				throw std::invalid_argument("no workload '" + name + "'");
			chosen.push_back(*it);
		}
		plans = chosen;
	}
	Target target(o.churn_threads);
	std::vector<Workload> wls;
	std::vector<std::string> names;
	for (const auto &p : plans)
		wls.push_back(p.wl);
	for (const auto &p : active)
		names.push_back(p.name);
	Results results(wls, names, "helper");

	for (const auto &p : plans) {
		// A warm-up batch per path: faults in pages, fills caches.
		Plan warm = p;
		warm.reads = std::min<std::uint32_t>(p.reads, 256);
		for (const auto &path : active)
			run_one(paths, path, warm, target);
	}
	std::uint64_t churn_ops = 0;
	for (unsigned rep = 0; rep < o.reps; ++rep) {
		for (const auto &p : plans) {
			std::uint64_t ops0 = target.churn_ops();
			target.set_churn(p.churn);
			if (p.churn)
				usleep(20000);
			// Rotate the order each repetition: no path always goes first.
			for (std::size_t k = 0; k < active.size(); ++k) {
				const auto &path = active[(k + rep) % active.size()];
				BatchResult r = run_one(paths, path, p, target);
				results.add(p.wl.name, path.name, r.ns / p.reads);
			}
			target.set_churn(false);
			churn_ops += target.churn_ops() - ops0;
		}
		std::cerr << "  repetition " << rep + 1 << "/" << o.reps << " done\n";
	}

	std::ostringstream table;
	table << "reads per batch:";
	for (const auto &p : plans)
		table << ' ' << p.wl.name << '=' << p.reads;
	table << "; churn threads " << o.churn_threads << " (" << churn_ops
	      << " mmap/munmap pairs during the contended chase)\n\n";
	results.write_table(table);
	table << "\n'x helper' is the path's time per read over the helper's (above 1: the "
		 "helper is faster).\n"
	      << "'slowdown' is the contended chase over the plain chase, per path.\n"
	      << "Targets:\n";
	for (const auto &c : check_targets(results.rows(), accel.rfind("kvm", 0) == 0))
		table << strf("  %-7s %s (%s)\n", c.verdict.c_str(), c.what.c_str(), c.detail.c_str());
	std::cout << '\n' << table.str();
	std::string text = head.str() + table.str();

	std::filesystem::create_directories(o.out_dir);
	std::ostringstream sum, samples, matrix;
	results.write_summary_csv(sum);
	results.write_samples_csv(samples);
	results.write_matrix_csv(matrix);
	write_file(std::filesystem::path(o.out_dir) / "table.txt", text);
	write_file(std::filesystem::path(o.out_dir) / "summary.csv", sum.str());
	write_file(std::filesystem::path(o.out_dir) / "samples.csv", samples.str());
	write_file(std::filesystem::path(o.out_dir) / "matrix.csv", matrix.str());
	std::cout << "wrote " << o.out_dir << "/{table.txt,summary.csv,samples.csv,matrix.csv}\n";
	return 0;
}

} // namespace
} // namespace cfur::bench

int main(int argc, char **argv)
{
	using namespace cfur::bench;
	Options o = cfur::cli::parse_or_exit("cfur-bench", argc, argv, parse_options);
	try {
		return run(o);
	} catch (const std::exception &e) {
		std::cerr << "cfur-bench: error: " << e.what() << '\n';
		return 1;
	}
}
