// SPDX-License-Identifier: GPL-2.0
// Order statistics over repeated measurements.
#pragma once

#include <cstddef>
#include <span>

namespace cfur::bench {

struct Summary {
	std::size_t n = 0;
	double median = 0;
	double min = 0;
	double max = 0;
	double p25 = 0; // quartiles, linear interpolation between order statistics
	double p75 = 0;

	// The interquartile range relative to the median, in percent.
	double spread_percent() const;
};

// Summarizes the samples; throws std::invalid_argument if there are none.
Summary summarize(std::span<const double> samples);

// The value at quantile q (0..1) of sorted samples, interpolating linearly.
double quantile_sorted(std::span<const double> sorted, double q);

} // namespace cfur::bench
