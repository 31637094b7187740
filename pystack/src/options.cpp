// SPDX-License-Identifier: GPL-2.0
#include "options.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <stdexcept>

#include "command_line.hpp"

namespace pystack {
namespace {

const char kDescription[] =
	"Samples the Python stacks of CPython 3.11, 3.12 and 3.13 processes. Each sample walks\n"
	"every thread's frames of every target, with the same reads whichever walker makes them:\n"
	"  auto    the first of bpf, kfunc, task that this kernel offers (the default)\n"
	"  bpf     one BPF_PROG_RUN, reading with bpf_copy_from_user_remote (the patched kernel)\n"
	"  kfunc   one BPF_PROG_RUN, reading with bpf_copy_from_user_pid (copy_from_user_pid.ko)\n"
	"  task    one BPF_PROG_RUN, bpf_task_from_pid + bpf_copy_from_user_task per read\n"
	"  austin  process_vm_readv per read; whole stack chunks, cached code objects (Austin-like)\n"
	"  pvm     process_vm_readv per read; everything read every sample (py-spy-like)\n"
	"Several walkers sample the same targets in turn. Writes collapsed stacks to stdout, or\n"
	"with --out the profiles (DIR/<walker>.collapsed, .speedscope.json, .pb.gz) and a\n"
	"summary of what each sample cost and how consistent it was.";

// CLI11's check: "" or what is wrong.
std::string check_walkers(const std::string &text)
{
	try {
		parse_walkers(text);
		return {};
	} catch (const std::invalid_argument &e) {
		return e.what();
	}
}

} // namespace

std::vector<std::string> parse_walkers(const std::string &text)
{
	if (text == "both")
		return {"bpf", "pvm"};
	if (text == "all")
		return walker_names();
	std::vector<std::string> out;
	std::size_t start = 0;
	for (;;) {
		std::size_t comma = text.find(',', start);
		std::string w = text.substr(start, comma - start);
		const auto &names = walker_choices();
		if (std::find(names.begin(), names.end(), w) == names.end())
			throw std::invalid_argument("--walker takes auto, bpf, kfunc, task, austin, pvm, a "
						    "comma-separated list of them, both (bpf,pvm) or all "
						    "(bpf,task,austin,pvm), not '" +
						    text + "'");
		if (std::find(out.begin(), out.end(), w) != out.end())
			throw std::invalid_argument("--walker names " + w + " twice");
		out.push_back(w);
		if (comma == std::string::npos)
			return out;
		start = comma + 1;
	}
}

unsigned long Options::sample_count() const
{
	return samples ? samples : ULONG_MAX;
}

WalkSettings Options::walk_settings() const
{
	WalkSettings s;
	s.max_targets = max_targets;
	s.max_threads = max_threads;
	s.max_depth = max_depth;
	s.max_frames = static_cast<std::uint32_t>(
		std::min<unsigned long>(static_cast<unsigned long>(max_threads) * max_depth, 1 << 22));
	s.max_code = max_code;
	s.retries = retries;
	s.cpu_mode = cpu_mode;
	s.need_state = cpu_mode || idle;
	return s;
}

Options parse_options(const std::vector<std::string> &args)
{
	Options o;
	CLI::App app{kDescription, "pystack"};
	std::string walkers = "auto", mode = "wall", layout = "auto";
	app.add_option("--pid", o.pids, "a process to sample (repeat for several)")
		->required()
		->check(CLI::Range(1, 0x3fffffff));
	app.add_flag("--children", o.children, "also every descendant of the pids, as they come");
	app.add_option("--walker", walkers,
		       "auto (default: bpf, else kfunc, else task), bpf, kfunc, task, austin, pvm, "
		       "a list W,W..., both or all")
		->check(check_walkers);
	app.add_option("--rate", o.rate, "samples per second and walker (1..100000)")
		->check(CLI::Range(1, 100000));
	auto *duration = app.add_option("--duration", o.duration, "seconds to sample")
				 ->check(CLI::Range(0.001, 86400.0));
	app.add_option("--samples", o.samples, "samples per walker, instead of --duration")
		->check(CLI::Range(1, 100000000))
		->excludes(duration);
	app.add_option("--slice", o.slice_ms,
		       "walkers take turns in slices of this many ms (default: every sample)")
		->check(CLI::Range(1.0, 60000.0));
	app.add_option("--mode", mode, "wall: every thread; cpu: threads on a CPU or runnable")
		->check(CLI::IsMember({"wall", "cpu"}));
	app.add_flag("--idle", o.idle, "end idle threads' stacks with an [idle] frame");
	app.add_flag("--gil", o.gil, "only threads holding the GIL");
	app.add_flag("--consistent", o.consistent, "drop the thread samples found torn");
	app.add_option("--retries", o.retries,
		       "walk a torn thread again up to N times (0..10; default 4)")
		->check(CLI::Range(0, 10));
	app.add_option("--max-targets", o.max_targets, "processes at most (1..4096)")
		->check(CLI::Range(1, 4096));
	app.add_option("--max-threads", o.max_threads,
		       "Python threads per sample, all targets (1..65536)")
		->check(CLI::Range(1, 65536));
	app.add_option("--max-depth", o.max_depth, "frames kept per thread (1..65536)")
		->check(CLI::Range(1, 65536));
	app.add_option("--max-code", o.max_code, "code objects cached (16..4194304)")
		->check(CLI::Range(16, 4194304));
	app.add_option("--layout", layout,
		       "where the interpreter's layout comes from: dwarf (its debug file), "
		       "debug-offsets (its _Py_DebugOffsets, 3.13), table (built in: 3.11, 3.12); "
		       "auto: the first of these it has")
		->check(CLI::IsMember(layout_choices()));
	app.add_option("--debug-root", o.debug_root, "where debug files are, by build-id");
	app.add_option("--out", o.out, "directory for the profiles and summary.txt");
	app.add_option("--format", o.formats, "with --out: collapsed, speedscope, pprof, svg")
		->delimiter(',')
		->check(CLI::IsMember({"collapsed", "speedscope", "pprof", "svg"}));
	auto *expect = app.add_option("--expect", o.expect, "the stacks every sample should show");
	app.add_option("--min-match", o.min_match, "percent of samples that must match (default 99)")
		->check(CLI::Range(0.0, 100.0))
		->needs(expect);
	cfur::cli::parse(app, args);
	o.walkers = parse_walkers(walkers);
	o.cpu_mode = mode == "cpu";
	o.layout = layout_choices().at(layout);
	if (o.pids.size() > o.max_targets)
		throw std::invalid_argument("more --pid than --max-targets " +
					    std::to_string(o.max_targets));
	return o;
}

} // namespace pystack
