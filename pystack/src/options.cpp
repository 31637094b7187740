// SPDX-License-Identifier: GPL-2.0
#include "options.hpp"

#include <cmath>
#include <stdexcept>

#include "numbers.hpp"

namespace pystack {

const char kUsage[] =
	"usage: pystack --pid PID [--walker W[,W...]|both|all] [--rate HZ] [--duration S | --samples N]\n"
	"               [--out DIR] [--expect FILE [--min-match PCT]] [--debug-root DIR]\n"
	"Samples the Python stacks of a CPython 3.11 process. Each sample walks every thread's\n"
	"frames, with the same reads whichever walker W makes them:\n"
	"  bpf   one BPF_PROG_RUN, reading with bpf_copy_from_user_remote (the default)\n"
	"  task  one BPF_PROG_RUN, bpf_task_from_pid once + bpf_copy_from_user_task per read\n"
	"  pvm   from user space, one process_vm_readv per read (as Austin does)\n"
	"both is bpf,pvm; all is bpf,task,pvm. Several walkers sample the same target in turn.\n"
	"Writes collapsed stacks (T<tid>;file:function;... count) to stdout, or to\n"
	"DIR/<walker>.collapsed, and a summary with the CPU time and syscalls per sample.\n"
	"--expect: the stacks every sample should show (one collapsed stack per line); exits 1\n"
	"if fewer than PCT% (default 99) of a walker's samples match exactly.\n";

std::vector<std::string> parse_walkers(const std::string &text)
{
	if (text == "both")
		return {"bpf", "pvm"};
	if (text == "all")
		return {"bpf", "task", "pvm"};
	std::vector<std::string> out;
	std::size_t start = 0;
	for (;;) {
		std::size_t comma = text.find(',', start);
		std::string w = text.substr(start, comma - start);
		if (w != "bpf" && w != "task" && w != "pvm")
			throw std::invalid_argument("--walker takes bpf, task, pvm, a comma-separated list "
						    "of them, both (bpf,pvm) or all, not '" +
						    text + "'");
		for (const std::string &seen : out)
			if (seen == w)
				throw std::invalid_argument("--walker names " + w + " twice");
		out.push_back(w);
		if (comma == std::string::npos)
			return out;
		start = comma + 1;
	}
}

unsigned long Options::sample_count() const
{
	return samples ? samples : static_cast<unsigned long>(std::ceil(rate * duration));
}

Options parse_options(const std::vector<std::string> &args)
{
	Options o;
	bool have_pid = false;
	for (std::size_t i = 0; i < args.size(); i++) {
		const std::string &a = args[i];
		auto value = [&]() -> const std::string & {
			if (i + 1 >= args.size())
				throw std::invalid_argument(a + " wants a value");
			return args[++i];
		};
		if (a == "--pid") {
			o.pid = static_cast<pid_t>(cfur::parse_whole(a, value(), 1, 0x3fffffff));
			have_pid = true;
		} else if (a == "--walker") {
			o.walkers = parse_walkers(value());
		} else if (a == "--rate") {
			o.rate = static_cast<unsigned>(cfur::parse_whole(a, value(), 1, 10000));
		} else if (a == "--duration") {
			o.duration = cfur::parse_real(a, value(), 0, 86400);
		} else if (a == "--samples") {
			o.samples = cfur::parse_whole(a, value(), 1, 100000000);
		} else if (a == "--out") {
			o.out = value();
		} else if (a == "--expect") {
			o.expect = value();
		} else if (a == "--min-match") {
			o.min_match = cfur::parse_real(a, value(), -1, 100);
		} else if (a == "--debug-root") {
			o.debug_root = value();
		} else {
			throw std::invalid_argument("unknown argument '" + a + "'");
		}
	}
	if (!have_pid)
		throw std::invalid_argument("--pid is required");
	if (o.min_match < 0)
		throw std::invalid_argument("--min-match wants a percentage in 0..100");
	return o;
}

} // namespace pystack
