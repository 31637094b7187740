// SPDX-License-Identifier: GPL-2.0
// pystack: samples CPython 3.11-3.13 processes' stacks, from BPF through
// bpf_copy_from_user_remote or from user space through process_vm_readv.
#include <sys/auxv.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

#include "options.hpp"
#include "proc_ns.hpp"
#include "sampler.hpp"
#include "strf.hpp"
#include "versions.hpp"
#include "writers.hpp"

using namespace pystack;

namespace {

void write_file(const std::string &path, const auto &writer)
{
	std::ofstream f(path, std::ios::binary);
	writer(f);
	if (!f)
		throw std::runtime_error("cannot write " + path);
}

bool wants(const Options &o, const std::string &format)
{
	return std::find(o.formats.begin(), o.formats.end(), format) != o.formats.end();
}

// DIR/<walker>.collapsed, .speedscope.json, .pb.gz, .svg, summary.txt and
// .csv. binaries: each target's interpreter file.
void write_outputs(const Options &o, const std::vector<WalkerStats> &stats, const Expected *expect,
		   const std::map<pid_t, std::string> &binaries)
{
	std::error_code ec;
	std::filesystem::create_directories(o.out, ec);
	if (ec)
		throw std::runtime_error("cannot create " + o.out + ": " + ec.message());
	for (const WalkerStats &s : stats) {
		ProfileMeta meta{s.name, 1e9 / o.rate, o.cpu_mode, s.active_ns, binaries};
		std::string base = o.out + "/" + s.name;
		if (wants(o, "collapsed"))
			write_file(base + ".collapsed", [&](std::ostream &f) { s.profile.write(f); });
		if (wants(o, "speedscope"))
			write_file(base + ".speedscope.json",
				   [&](std::ostream &f) { write_speedscope(f, s.profile, meta); });
		if (wants(o, "pprof"))
			write_file(base + ".pb.gz",
				   [&](std::ostream &f) { write_pprof(f, s.profile, meta); });
		if (wants(o, "svg"))
			write_file(base + ".svg",
				   [&](std::ostream &f) { write_flamegraph(f, s.profile, meta); });
	}
	write_file(o.out + "/summary.txt",
		   [&](std::ostream &f) { write_summary(f, stats, o, expect); });
	write_file(o.out + "/summary.csv", [&](std::ostream &f) { write_summary_csv(f, stats, o); });
}

std::string task_in_child_ns()
{
	return "the task walker finds its targets by pid in the initial pid namespace "
	       "(bpf_task_from_pid()), and pystack runs in a child one: it would read "
	       "other processes. Use --walker bpf, kfunc, austin or pvm here, or run "
	       "pystack on the host with the host's pids";
}

// A BPF walk looks a thread's task up by the id CPython records
// (bpf_task_from_pid(): the initial pid namespace's, kernel/bpf/helpers.c).
// The task walker also finds its targets so: in a child pid namespace it
// would read other processes. The others read memory by pid in pystack's
// own namespace (the helper, the kfunc, process_vm_readv), and only their
// scheduler states miss: said once.
void check_namespaces(const std::vector<std::unique_ptr<Walker>> &walkers, const TargetSet &targets,
		      std::ostream &log)
{
	bool initial = in_initial_pid_ns();
	for (const auto &w : walkers)
		if (std::string(w->name()) == "task" && !initial)
			throw std::runtime_error(task_in_child_ns());
	for (const auto &w : walkers) {
		std::string name = w->name();
		if (name != "bpf" && name != "kfunc" && name != "task")
			continue;
		for (const TargetInfo &t : targets.targets())
			if (!initial || t.py.own_pid != t.py.pid) {
				log << cfur::strf(
					"pystack: note: pid %d's threads have ids of a pid namespace below the "
					"initial one, where the %s walker looks scheduler states up: it "
					"cannot tell their samples consistent or torn (unchecked); "
					"--idle and --mode cpu take their states from /proc\n",
					t.py.pid, name.c_str());
				return;
			}
	}
}

int run(const Options &o)
{
	ThreadNames names(make_process_memory());
	TargetSet targets(o, names);
	std::map<pid_t, std::string> binaries; // of the targets, for pprof
	for (pid_t pid : o.pids) {
		try {
			targets.add(pid);
		} catch (const std::runtime_error &e) {
			// with --children, a parent that runs no Python (a shell)
			if (!o.children)
				throw;
			std::cerr << "pystack: not sampling " << e.what()
				  << " (its descendants are looked at)\n";
			continue;
		}
		const TargetInfo &t = targets.targets().back();
		binaries[pid] = t.py.binary;
		std::cerr << cfur::strf("pystack: pid %d, CPython %s (%s), layout from %s\n", pid,
					t.py.version.str().c_str(), t.py.binary.c_str(),
					t.layout_source.c_str());
	}
	if (o.children)
		targets.rescan(std::cerr);
	// a shell that starts Python a moment later: looked for as long as
	// the run would last, which the wait is part of
	Options sampling = o;
	bool late = false; // the targets were found by waiting for them
	if (o.children && targets.targets().empty()) {
		late = true;
		auto t0 = std::chrono::steady_clock::now();
		targets.wait_for_first(o.samples ? -1.0 : o.duration, std::cerr);
		std::chrono::duration<double> waited = std::chrono::steady_clock::now() - t0;
		sampling.duration = std::max(0.001, o.duration - waited.count());
	}
	if (targets.targets().empty())
		throw std::runtime_error("no CPython process pystack can sample (" +
					 supported_versions() +
					 ") among the pids and their descendants");

	std::vector<std::unique_ptr<Walker>> walkers;
	// before its program is loaded (and maybe refused for other reasons)
	for (const std::string &w : o.walkers)
		if (w == "task" && !in_initial_pid_ns())
			throw std::runtime_error(task_in_child_ns());
	for (const std::string &w : o.walkers) {
		walkers.push_back(make_walker(w, o.walk_settings()));
		targets.attach(*walkers.back());
	}
	check_namespaces(walkers, targets, std::cerr);
	// read once the targets are found and the walkers ready: a target
	// found late (--children) writes what it expects when it is ready,
	// which under emulation can be seconds after it is found
	std::optional<Expected> expect;
	if (!o.expect.empty()) {
		for (int i = 0; late && i < 300 && !std::filesystem::exists(o.expect); i++)
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
		std::ifstream f(o.expect);
		if (!f)
			throw std::runtime_error("cannot read " + o.expect);
		expect = Expected::parse(f);
	}
	const Expected *e = expect ? &*expect : nullptr;
	std::vector<WalkerStats> stats = sample_all(sampling, walkers, targets, names, e, std::cerr);
	for (const TargetInfo &t : targets.targets()) // those --children found
		binaries.emplace(t.py.pid, t.py.binary);

	if (o.out.empty()) {
		for (const WalkerStats &s : stats)
			s.profile.write(std::cout);
		write_summary(std::cerr, stats, o, e);
	} else {
		write_outputs(o, stats, e, binaries);
		write_summary(std::cout, stats, o, e);
	}
	int rc = 0;
	for (const WalkerStats &s : stats) {
		if (e && s.match_percent() < o.min_match) {
			std::cerr << cfur::strf("pystack: %s: %.2f%% of samples match the expected stacks, "
						"fewer than %.2f%%\n",
						s.name.c_str(), s.match_percent(), o.min_match);
			rc = 1;
		}
	}
	return rc;
}

} // namespace

int main(int argc, char **argv)
{
	// setuid or setgid: whoever runs it would read any process's memory
	// and write --out anywhere as root
	if (getauxval(AT_SECURE)) {
		std::cerr << "pystack: error: pystack must not run setuid or setgid; run it as root "
			     "(sudo pystack ...)\n";
		return 3;
	}
	Options o = cfur::cli::parse_or_exit("pystack", argc, argv, parse_options);
	try {
		return run(o);
	} catch (const std::exception &e) {
		std::cerr << "pystack: error: " << e.what() << '\n';
		return 3;
	}
}
