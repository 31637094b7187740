// SPDX-License-Identifier: GPL-2.0
// printf-style formatting into a std::string (GCC 12 has no <format>).
#pragma once

#include <cstdio>
#include <string>

namespace cfur {

template <typename... Args>
std::string strf(const char *fmt, Args... args)
{
	int n = std::snprintf(nullptr, 0, fmt, args...);
	if (n <= 0)
		return {};
	std::string s(static_cast<std::size_t>(n) + 1, '\0');
	std::snprintf(s.data(), s.size(), fmt, args...);
	s.resize(static_cast<std::size_t>(n));
	return s;
}

} // namespace cfur
