// SPDX-License-Identifier: GPL-2.0
#include "layout.hpp"

#include <cerrno>

#include "region.hpp"

namespace cfur::rel {

long expected_in_layout(std::string_view layout, std::uint64_t addr, std::uint32_t size)
{
	if (size == 0)
		return 0;
	std::uint64_t end = addr + size; // exclusive
	if (end < addr)
		return -EFAULT; // wraps around
	std::uint64_t lo = kRegionBase, hi = kRegionBase + layout.size() * kPage;
	if (addr < lo || end > hi)
		return -EFAULT;
	for (std::uint64_t p = (addr - lo) / kPage; p * kPage + lo < end; ++p)
		if (layout[p] != 'R')
			return -EFAULT;
	return size;
}

} // namespace cfur::rel
