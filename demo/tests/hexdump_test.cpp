// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <array>

#include "hexdump.hpp"

TEST(Hexdump, FullAndPartialLines)
{
	std::array<std::byte, 18> data{};
	for (std::size_t i = 0; i < data.size(); i++)
		data[i] = static_cast<std::byte>('A' + i);
	data[1] = std::byte{0};
	auto out = cfur::hexdump(0x1000, data);
	EXPECT_EQ(out, "0000000000001000  41 00 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  "
		       "|A.CDEFGHIJKLMNOP|\n"
		       "0000000000001010  51 52                                            |QR|\n");
}

TEST(Hexdump, Empty)
{
	EXPECT_EQ(cfur::hexdump(0, {}), "");
}
