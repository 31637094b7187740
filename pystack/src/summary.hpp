// SPDX-License-Identifier: GPL-2.0
// The run's summary, a row per walker: as CSV (summary.csv), and as the
// tables pystack prints (summary.txt), with what each walker ran into and
// its cost ratio to the first.
#pragma once

#include <ostream>
#include <vector>

#include "options.hpp"
#include "stacks.hpp"
#include "walker_stats.hpp"

namespace pystack {

// The summary as CSV, a row per walker (summary.csv).
void write_summary_csv(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o);

// The summary tables, and every walker's cost ratio to the first.
void write_summary(std::ostream &out, const std::vector<WalkerStats> &stats, const Options &o,
		   const Expected *expect);

} // namespace pystack
