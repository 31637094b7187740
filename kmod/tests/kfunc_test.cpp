// SPDX-License-Identifier: GPL-2.0
// kfunc-test: the tests of bpf_copy_from_user_pid(), the kfunc of
// kmod/copy_from_user_pid.ko, through syscall programs run by BPF_PROG_RUN.
// Load the module first. Each case (kfunc_cases.cpp) runs in a child
// process of its own, with a watchdog; the last line is "N passed, N failed".
//
// Usage: kfunc-test [-t SUBSTRING]... [-l] [--cold-file PATH] [--hold]
//   -t: only the cases whose name contains SUBSTRING; -l: list the cases;
//   --cold-file: a file of 4 MiB or more on a block-device filesystem, not
//   in the page cache, for nowait_page_cache (vm/guest-kmod.sh makes one;
//   without the option, $KFUNC_COLD_FILE);
//   --hold: load the program and hold it until stdin closes (the module
//   must then refuse to unload).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "kfunc_calls.hpp"
#include "kfunc_cases.hpp"

namespace {

bool selected(std::string_view name, const std::vector<std::string> &filters)
{
	if (filters.empty())
		return true;
	return std::any_of(filters.begin(), filters.end(), [&](const std::string &f) {
		return name.find(f) != std::string_view::npos;
	});
}

[[noreturn]] void usage()
{
	std::fprintf(stderr, "usage: kfunc-test [-t SUBSTRING]... [-l] [--cold-file PATH] [--hold]\n");
	std::exit(2);
}

int hold()
{
	std::printf("holding the program (it calls bpf_copy_from_user_pid); close stdin to end\n");
	std::fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> filters;
	bool list = false, hold_mode = false;
	const char *env_cold = std::getenv("KFUNC_COLD_FILE");
	std::string cold_file = env_cold ? env_cold : "";
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (a == "-t" && i + 1 < argc)
			filters.emplace_back(argv[++i]);
		else if (a == "-l")
			list = true;
		else if (a == "--cold-file" && i + 1 < argc)
			cold_file = argv[++i];
		else if (a == "--hold")
			hold_mode = true;
		else
			usage();
	}
	if (list) {
		for (const auto &c : kt::cases())
			std::printf("%s\n", c.name);
		return 0;
	}
	setvbuf(stdout, nullptr, _IOLBF, 0);
	std::string err = kt::load_programs(cold_file);
	if (!err.empty()) {
		std::fprintf(stderr, "error: %s\n", err.c_str());
		return 1;
	}
	if (hold_mode)
		return hold();
	int passed = 0, failed = 0;
	for (const auto &c : kt::cases()) {
		if (!selected(c.name, filters))
			continue;
		auto start = std::chrono::steady_clock::now();
		std::string why = kt::run_case(c);
		auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
				  std::chrono::steady_clock::now() - start)
				  .count();
		if (why.empty()) {
			passed++;
			std::printf("ok   %s (%lld ms)\n", c.name, static_cast<long long>(ms));
		} else {
			failed++;
			std::printf("FAIL %s (%lld ms): %s\n", c.name, static_cast<long long>(ms),
				    why.c_str());
		}
	}
	std::printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
