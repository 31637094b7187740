// SPDX-License-Identifier: GPL-2.0
// The thin runner: runs the prog_tests functions linked into it, with the
// subtests, assertions and summary of test_progs, each test in a child
// process so that a crash or a hang fails that test only.
//
// Usage: cfur-runner [-t PATTERN]... [-l] [-w SECONDS] [-J FILE]
#include <cstdio>
#include <exception>
#include <optional>

#include "command_line.hpp"
#include "json_summary.hpp"
#include "options.hpp"
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

} // namespace

int main(int argc, char **argv)
{
	auto opts = cfur::cli::parse_or_exit("cfur-runner", argc, argv, cfur::parse_run_options);
	std::optional<cfur::JsonSummaryFile> json;
	try {
		if (!opts.json_summary.empty())
			json.emplace(opts.json_summary);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "cfur-runner: %s\n", e.what());
		return 2;
	}
	setvbuf(stdout, nullptr, _IOLBF, 0);
	auto run = cfur::run_tests(kTests, opts);
	try {
		if (json)
			json->write(run.tests);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "cfur-runner: %s\n", e.what());
		return 1;
	}
	return run.status;
}
