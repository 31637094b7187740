// SPDX-License-Identifier: GPL-2.0
// Hex dump lines: "address  16 bytes in hex  |ascii|".
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace cfur {

std::string hexdump(std::uint64_t base, std::span<const std::byte> data);

} // namespace cfur
