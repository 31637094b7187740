// SPDX-License-Identifier: GPL-2.0
// The sampling loop's pace: the timer slack, and the wait for each tick.
#include "ticks.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <thread>

namespace pystack {
namespace {

const Clock::time_point kStart = Clock::now();

} // namespace

double ms_since_start()
{
	return std::chrono::duration<double, std::milli>(Clock::now() - kStart).count();
}

void tighten_timer_slack()
{
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

void wait_tick(Clock::time_point &next, std::chrono::nanoseconds period, std::uint64_t &late,
	       Clock::time_point until)
{
	next += period;
	auto now = Clock::now();
	if (next > now) {
		std::this_thread::sleep_until(std::min(next, until));
	} else if (now - next >= period) {
		late += static_cast<std::uint64_t>((now - next) / period);
		next = now;
	}
}

} // namespace pystack
