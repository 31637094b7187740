// SPDX-License-Identifier: GPL-2.0
// The cases of kfunc-test as the thin runner's test copy_from_user_pid
// (cfur-kmod-runner, runner/src linked in): one subtest a case, started
// with test__start_subtest() so that -t copy_from_user_pid/NAME selects, and
// a failed case a failed assertion with its message, printed as the runner
// prints the helper's tests. The runner's options are fixed: the cold file
// for nowait_page_cache comes from $KFUNC_COLD_FILE.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cfur_api.h"
#include "kfunc_calls.hpp"
#include "kfunc_cases.hpp"

namespace {

// The runner formats an assertion's message into 512 bytes. A longer one
// (a verifier log) is printed whole first, each line indented so that none
// reads as a result line, and the assertion says where.
constexpr std::size_t kShortMessage = 400;

void print_indented(std::string_view text)
{
	while (!text.empty()) {
		auto nl = text.find('\n');
		std::printf("    %.*s\n", static_cast<int>(text.substr(0, nl).size()), text.data());
		text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
	}
	std::fflush(stdout);
}

// A failed assertion named name, with why as its message.
void fail_with(int line, const char *name, const std::string &why)
{
	if (why.size() <= kShortMessage && why.find('\n') == std::string::npos) {
		cfur_assert(false, "test_copy_from_user_pid", line, name, "%s", why.c_str());
		return;
	}
	print_indented(why);
	std::string first = why.substr(0, std::min(why.find('\n'), kShortMessage));
	cfur_assert(false, "test_copy_from_user_pid", line, name, "%s ... (in full above)",
		    first.c_str());
}

} // namespace

extern "C" {

void test_copy_from_user_pid(void)
{
	const char *cold = std::getenv("KFUNC_COLD_FILE");
	std::string err = kt::load_programs(cold ? cold : "");
	if (!err.empty())
		fail_with(__LINE__, "setup", err);
	for (const auto &c : kt::cases()) {
		if (!test__start_subtest(c.name))
			continue;
		if (!err.empty()) {
			test__skip(); // the setup failed (above)
			continue;
		}
		std::string why = kt::run_case(c);
		if (!why.empty())
			fail_with(__LINE__, c.name, why);
	}
}

} // extern "C"
