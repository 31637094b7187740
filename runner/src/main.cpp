// SPDX-License-Identifier: GPL-2.0
// The thin runner: runs the prog_tests functions linked into it, with the
// subtests, assertions and summary of test_progs, each test in a child
// process so that a crash or a hang fails that test only.
//
// Usage: cfur-runner [-t PATTERN]... [-l] [-w SECONDS]
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "numbers.hpp"
#include "run.hpp"

// tests.inc, generated at build time, lists the linked tests as
// DEFINE_TEST(name) for each "void test_name(void)".
#define DEFINE_TEST(name) extern "C" void test_##name(void);
#include "tests.inc"
#undef DEFINE_TEST

namespace {

#define DEFINE_TEST(name) {#name, test_##name},
constexpr cfur::TestEntry kTests[] = {
#include "tests.inc"
};
#undef DEFINE_TEST

int usage(const char *argv0)
{
	std::fprintf(stderr,
		     "usage: %s [-t PATTERN]... [-l] [-w SECONDS]\n"
		     "  -t PATTERN  run the tests whose name contains PATTERN (test/subtest narrows)\n"
		     "  -l          list the selected tests\n"
		     "  -w SECONDS  fail a test that makes no progress for SECONDS (default 120, 0: never)\n",
		     argv0);
	return 2;
}

} // namespace

int main(int argc, char **argv)
{
	cfur::RunOptions opts;
	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "-t") && i + 1 < argc) {
			opts.patterns.emplace_back(argv[++i]);
		} else if (!std::strcmp(argv[i], "-l")) {
			opts.list = true;
		} else if (!std::strcmp(argv[i], "-w") && i + 1 < argc) {
			try {
				opts.timeout = std::chrono::seconds(
					cfur::parse_whole("-w", argv[++i], 0, 86400));
			} catch (const std::invalid_argument &e) {
				std::fprintf(stderr, "error: %s (seconds; 0: no watchdog)\n", e.what());
				return 2;
			}
		} else {
			return usage(argv[0]);
		}
	}
	setvbuf(stdout, nullptr, _IOLBF, 0);
	return cfur::run_tests(kTests, opts);
}
