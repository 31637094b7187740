// SPDX-License-Identifier: GPL-2.0
// Which tests and subtests a run selects, as test_progs -t does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cfur {

class Filter {
public:
	// Each pattern selects tests whose name contains it, as test_progs -t
	// does; "test/sub" also narrows the subtests.
	explicit Filter(std::vector<std::string> patterns = {});
	bool selects_test(std::string_view test) const;
	bool selects_subtest(std::string_view test, std::string_view sub) const;

private:
	std::vector<std::string> patterns_;
};

} // namespace cfur
