// SPDX-License-Identifier: GPL-2.0
#include "filter.hpp"

#include <algorithm>

namespace cfur {

namespace {

bool contains(std::string_view hay, std::string_view needle)
{
	return hay.find(needle) != std::string_view::npos;
}

} // namespace

Filter::Filter(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

bool Filter::selects_test(std::string_view test) const
{
	if (patterns_.empty())
		return true;
	return std::any_of(patterns_.begin(), patterns_.end(), [&](const std::string &p) {
		return contains(test, std::string_view(p).substr(0, p.find('/')));
	});
}

bool Filter::selects_subtest(std::string_view test, std::string_view sub) const
{
	if (patterns_.empty())
		return true;
	return std::any_of(patterns_.begin(), patterns_.end(), [&](const std::string &p) {
		auto slash = p.find('/');
		if (!contains(test, std::string_view(p).substr(0, slash)))
			return false;
		return slash == std::string::npos ||
		       contains(sub, std::string_view(p).substr(slash + 1));
	});
}

} // namespace cfur
