// SPDX-License-Identifier: GPL-2.0
// The cases of bpf_copy_from_user_pid()'s tests, in one table that two
// programs run: kfunc-test (kfunc_test.cpp, its own output) and the thin
// runner's test copy_from_user_pid (kfunc_runner.cpp, one subtest a case).
// Call kt::load_programs() (kfunc_calls.hpp) first.
#pragma once

#include <chrono>
#include <span>
#include <string>

namespace kt {

struct Case {
	const char *name;
	void (*fn)();
	std::chrono::seconds timeout; // the case's watchdog
};

// Every case, in the order they run.
std::span<const Case> cases();

// Runs c in a child process of its own, with its watchdog: "" if it
// passed, else what failed (a kt::Failure's message, a crash, a timeout).
std::string run_case(const Case &c);

} // namespace kt
