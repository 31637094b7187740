// SPDX-License-Identifier: GPL-2.0
// The sampling loop's time: the clocks it reads, and its pace, a sample
// per tick: sleeping until the next tick, counting the ticks missed.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace pystack {

using Clock = std::chrono::steady_clock;

// A clock's time in nanoseconds; inline, as it is read around every walk.
inline double clock_ns(clockid_t clock)
{
	timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// Milliseconds since pystack started (its static initialisation).
double ms_since_start();

// Makes the calling thread's sleeps end when they should, not up to 50 us
// later.
void tighten_timer_slack();

// Waits for the next tick, a period after `next`, and moves `next` to it;
// not past `until`. A sample that ends less than a period late is followed
// at once, keeping the pace; later than that, the ticks missed are added
// to `late` and the pace starts again from now.
void wait_tick(Clock::time_point &next, std::chrono::nanoseconds period, std::uint64_t &late,
	       Clock::time_point until = Clock::time_point::max());

} // namespace pystack
