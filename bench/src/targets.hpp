// SPDX-License-Identifier: GPL-2.0
// The targets, checked against one run's rows.
#pragma once

#include <string>
#include <vector>

#include "results.hpp"

namespace cfur::bench {

struct TargetCheck {
	std::string what;
	std::string verdict; // "met", "missed" or "n/a"
	std::string detail;
};

// under_kvm: the 3.5x target over process_vm_readv applies only there.
std::vector<TargetCheck> check_targets(const std::vector<Row> &rows, bool under_kvm);

} // namespace cfur::bench
