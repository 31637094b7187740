// SPDX-License-Identifier: GPL-2.0
#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace cfur::bench {

double quantile_sorted(std::span<const double> sorted, double q)
{
	if (sorted.empty())
		throw std::invalid_argument("quantile of no samples");
	if (q <= 0)
		return sorted.front();
	if (q >= 1)
		return sorted.back();
	double pos = q * static_cast<double>(sorted.size() - 1);
	auto lo = static_cast<std::size_t>(std::floor(pos));
	std::size_t hi = std::min(lo + 1, sorted.size() - 1);
	double frac = pos - static_cast<double>(lo);
	return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Summary summarize(std::span<const double> samples)
{
	if (samples.empty())
		throw std::invalid_argument("summary of no samples");
	std::vector<double> v(samples.begin(), samples.end());
	std::sort(v.begin(), v.end());
	Summary s;
	s.n = v.size();
	s.min = v.front();
	s.max = v.back();
	s.median = quantile_sorted(v, 0.5);
	s.p25 = quantile_sorted(v, 0.25);
	s.p75 = quantile_sorted(v, 0.75);
	return s;
}

double Summary::spread_percent() const
{
	return median > 0 ? (p75 - p25) / median * 100.0 : 0.0;
}

} // namespace cfur::bench
