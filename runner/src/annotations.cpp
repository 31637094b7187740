// SPDX-License-Identifier: GPL-2.0
#include "annotations.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace cfur {

namespace {

constexpr std::string_view kPrefix = "comment:";

bool consume(std::string_view &s, std::string_view prefix)
{
	if (!s.starts_with(prefix))
		return false;
	s.remove_prefix(prefix.size());
	return true;
}

} // namespace

Expectations parse_annotations(const std::vector<std::string> &tags)
{
	Expectations e;
	std::vector<std::pair<int, std::string>> msgs;

	for (const auto &tag : tags) {
		std::string_view s = tag;
		if (!consume(s, kPrefix))
			continue;
		if (s == "test_expect_failure") {
			e.expect_failure = true;
		} else if (s == "test_expect_success") {
			e.expect_failure = false;
		} else if (consume(s, "test_description=")) {
			e.description = s;
		} else if (consume(s, "test_expect_msg=")) {
			// "<counter>=<message>": the counter gives source order.
			int order = 0;
			auto eq = s.find('=');
			auto [p, ec] =
				std::from_chars(s.data(), s.data() + std::min(eq, s.size()), order);
			if (eq == std::string_view::npos || ec != std::errc())
				e.unsupported.emplace_back(tag);
			else
				msgs.emplace_back(order, std::string(s.substr(eq + 1)));
		} else if (s.starts_with("test_")) {
			e.unsupported.emplace_back(tag);
		}
	}
	std::stable_sort(msgs.begin(), msgs.end(),
			 [](const auto &a, const auto &b) { return a.first < b.first; });
	for (auto &m : msgs)
		e.messages.push_back(std::move(m.second));
	return e;
}

std::optional<std::string> first_missing_message(std::string_view log,
						 const std::vector<std::string> &messages)
{
	std::size_t pos = 0;
	for (const auto &m : messages) {
		auto at = log.find(m, pos);
		if (at == std::string_view::npos)
			return m;
		pos = at + m.size();
	}
	return std::nullopt;
}

} // namespace cfur
