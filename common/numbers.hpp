// SPDX-License-Identifier: GPL-2.0
// Numbers from the command line, all of the text or an error that names
// the option, the accepted range and what was given.
#pragma once

#include <climits>
#include <stdexcept>
#include <string>

#include "strf.hpp"

namespace cfur {

// A whole number in min..max.
inline unsigned long parse_whole(const std::string &opt, const std::string &text,
				 unsigned long min, unsigned long max)
{
	std::size_t end = 0;
	unsigned long n = 0;
	try {
		n = std::stoul(text, &end);
	} catch (const std::exception &) {
		end = 0;
	}
	if (end != text.size() || text.empty() || text[0] == '-' || n < min || n > max) {
		std::string range = max == ULONG_MAX ? "of at least " + std::to_string(min)
						     : "in " + std::to_string(min) + ".." + std::to_string(max);
		throw std::invalid_argument(opt + " wants a whole number " + range + ", not '" + text +
					    "'");
	}
	return n;
}

// A number in (above, max].
inline double parse_real(const std::string &opt, const std::string &text, double above, double max)
{
	std::size_t end = 0;
	double d = 0;
	try {
		d = std::stod(text, &end);
	} catch (const std::exception &) {
		end = 0;
	}
	if (end != text.size() || text.empty() || !(d > above && d <= max))
		throw std::invalid_argument(strf("%s wants a number in (%g, %g], not '%s'", opt.c_str(),
						 above, max, text.c_str()));
	return d;
}

} // namespace cfur
