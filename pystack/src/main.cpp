// SPDX-License-Identifier: GPL-2.0
// pystack: samples a CPython 3.11 process's stacks, from BPF through
// bpf_copy_from_user_remote or from user space through process_vm_readv.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "dwarf_types.hpp"
#include "layout.hpp"
#include "options.hpp"
#include "python_process.hpp"
#include "sampler.hpp"
#include "strf.hpp"

using namespace pystack;

namespace {

std::unique_ptr<Walker> make_walker(const std::string &name, const py_layout &l, pid_t pid)
{
	if (name == "bpf")
		return make_bpf_walker(l, pid);
	if (name == "task")
		return make_task_walker(l, pid);
	return make_pvm_walker(l, pid);
}

void write_file(const std::string &path, const auto &writer)
{
	std::ofstream f(path);
	writer(f);
	if (!f)
		throw std::runtime_error("cannot write " + path);
}

int run(const Options &o)
{
	PythonProcess py = inspect_python(o.pid, o.debug_root);
	DwarfTypes types(py.debug_file);
	py_layout layout = read_layout(types, py.runtime);
	std::cerr << cfur::strf("pystack: pid %d, CPython %s (%s), _PyRuntime at 0x%llx\n", o.pid,
				py.version.str().c_str(), py.binary.c_str(),
				static_cast<unsigned long long>(py.runtime));

	std::optional<Expected> expect;
	if (!o.expect.empty()) {
		std::ifstream f(o.expect);
		if (!f)
			throw std::runtime_error("cannot read " + o.expect);
		expect = Expected::parse(f);
	}
	std::vector<std::unique_ptr<Walker>> walkers;
	for (const std::string &w : o.walkers)
		walkers.push_back(make_walker(w, layout, o.pid));

	std::vector<WalkerStats> stats = sample_all(o, walkers, expect ? &*expect : nullptr);

	if (o.out.empty()) {
		for (const WalkerStats &s : stats)
			s.profile.write(std::cout);
		write_summary(std::cerr, stats, expect ? &*expect : nullptr);
	} else {
		std::error_code ec;
		std::filesystem::create_directories(o.out, ec);
		if (ec)
			throw std::runtime_error("cannot create " + o.out + ": " + ec.message());
		for (const WalkerStats &s : stats)
			write_file(o.out + "/" + s.name + ".collapsed",
				   [&](std::ostream &f) { s.profile.write(f); });
		write_file(o.out + "/summary.txt", [&](std::ostream &f) {
			write_summary(f, stats, expect ? &*expect : nullptr);
		});
		write_summary(std::cout, stats, expect ? &*expect : nullptr);
	}
	int rc = 0;
	for (const WalkerStats &s : stats) {
		if (expect && s.match_percent() < o.min_match) {
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
	Options o;
	try {
		o = parse_options(std::vector<std::string>(argv + 1, argv + argc));
	} catch (const std::invalid_argument &e) {
		std::cerr << "pystack: " << e.what() << '\n' << kUsage;
		return 2;
	}
	try {
		return run(o);
	} catch (const std::exception &e) {
		std::cerr << "pystack: error: " << e.what() << '\n';
		return 3;
	}
}
