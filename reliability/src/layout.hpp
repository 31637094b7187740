// SPDX-License-Identifier: GPL-2.0
// The fuzzer's region: which pages are readable, PROT_NONE or holes, and
// what a read of [addr, addr + size) must return in a process that has it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cfur::rel {

// R readable, N PROT_NONE, H hole (unmapped). Holes at both ends, so that
// every address in the region has a known fate.
inline constexpr std::string_view kFuzzLayout = "HHRRRRNRRRHRRRRRNHRRRRHH";

// The helper's result for a read of a live process holding the layout at
// kRegionBase: size if every byte is on an R page, else -EFAULT; 0 for size
// 0. Addresses outside the region are not modelled (callers stay inside,
// or use addresses no process can map).
long expected_in_layout(std::string_view layout, std::uint64_t addr, std::uint32_t size);

} // namespace cfur::rel
