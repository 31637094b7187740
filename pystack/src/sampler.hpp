// SPDX-License-Identifier: GPL-2.0
// The sampling loop: every walker samples the same targets, the walkers
// taking turns each sample, or each a --slice of time. This header brings
// in what the loop's callers use with it: the walkers' counters
// (walker_stats.hpp), the targets (target_set.hpp) and the summary
// (summary.hpp).
#pragma once

#include <memory>
#include <ostream>
#include <vector>

#include "options.hpp"
#include "stacks.hpp"
#include "summary.hpp"
#include "target_set.hpp"
#include "thread_names.hpp"
#include "walker.hpp"
#include "walker_stats.hpp"

namespace pystack {

// Takes o.sample_count() samples with every walker, on the same targets;
// a target that exits is reported on `log` and left out from then on.
std::vector<WalkerStats> sample_all(const Options &o, std::vector<std::unique_ptr<Walker>> &walkers,
				    TargetSet &targets, ThreadNames &names, const Expected *expect,
				    std::ostream &log);

} // namespace pystack
