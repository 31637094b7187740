// SPDX-License-Identifier: GPL-2.0
#include "flags.hpp"

#include "contract.hpp"

namespace cfur::rel {

const char *flag_mode_name(FlagMode m)
{
	switch (m) {
	case FlagMode::Zero:
		return "0";
	case FlagMode::Nowait:
		return "nowait";
	case FlagMode::Mixed:
		return "mixed";
	case FlagMode::Fuzz:
		return "fuzz";
	}
	return "?";
}

std::uint64_t flags_for(FlagMode m, unsigned long n)
{
	switch (m) {
	case FlagMode::Zero:
		return 0;
	case FlagMode::Nowait:
		return kCopyNowait;
	case FlagMode::Mixed:
	case FlagMode::Fuzz:
		return n % 2 ? kCopyNowait : 0;
	}
	return 0;
}

} // namespace cfur::rel
