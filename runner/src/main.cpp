// SPDX-License-Identifier: GPL-2.0
// The thin runner: runs the prog_tests functions linked into it, with the
// subtests, assertions and summary of test_progs.
//
// Usage: cfur-runner [-t PATTERN]... [-l]
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <bpf/libbpf.h>

#include "report.hpp"

// tests.inc, generated at build time, lists the linked tests as
// DEFINE_TEST(name) for each "void test_name(void)".
#define DEFINE_TEST(name) extern "C" void test_##name(void);
#include "tests.inc"
#undef DEFINE_TEST

namespace {

struct TestEntry {
	const char *name;
	void (*fn)();
};

#define DEFINE_TEST(name) {#name, test_##name},
constexpr TestEntry kTests[] = {
#include "tests.inc"
};
#undef DEFINE_TEST

int usage(const char *argv0)
{
	std::fprintf(stderr, "usage: %s [-t PATTERN]... [-l]\n", argv0);
	return 2;
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> patterns;
	bool list = false;
	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "-t") && i + 1 < argc)
			patterns.emplace_back(argv[++i]);
		else if (!std::strcmp(argv[i], "-l"))
			list = true;
		else
			return usage(argv[0]);
	}
	setvbuf(stdout, nullptr, _IOLBF, 0);

	auto &report = cfur::Report::get();
	report.set_filter(cfur::Filter(patterns));
	int selected = 0;
	for (const auto &t : kTests) {
		if (!report.filter().selects_test(t.name))
			continue;
		selected++;
		if (list) {
			std::printf("%s\n", t.name);
			continue;
		}
		report.begin_test(t.name);
		t.fn();
		report.end_test();
	}
	if (list)
		return 0;
	if (selected == 0) {
		std::fprintf(stderr, "error: no test matches the given -t patterns\n");
		return 2;
	}
	int passed = report.count(cfur::Outcome::Pass);
	int failed = report.count(cfur::Outcome::Fail);
	int skipped = report.count(cfur::Outcome::Skip);
	std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
