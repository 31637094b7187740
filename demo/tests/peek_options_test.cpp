// SPDX-License-Identifier: GPL-2.0
// cfur-peek's command line: PID ADDR [SIZE] and --via.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "peek_options.hpp"

using cfur::parse_peek_options;
using cfur::PeekOptions;
using cfur::Via;

const auto error_of = cfur::cli::error_finder(parse_peek_options);

TEST(PeekOptions, PositionalsAndDefaults)
{
	PeekOptions o = parse_peek_options({"42", "0x7ffd1000"});
	EXPECT_EQ(o.pid, 42);
	EXPECT_EQ(o.addr, 0x7ffd1000u);
	EXPECT_EQ(o.size, 64u);
	EXPECT_EQ(o.via, Via::Auto);
	o = parse_peek_options({"42", "4096", "016"});
	EXPECT_EQ(o.addr, 4096u);
	EXPECT_EQ(o.size, 16u); // decimal, not octal
}

TEST(PeekOptions, Via)
{
	EXPECT_EQ(parse_peek_options({"--via", "kfunc", "1", "0x10"}).via, Via::Kfunc);
	EXPECT_EQ(parse_peek_options({"1", "0x10", "8", "--via", "helper"}).via, Via::Helper);
	EXPECT_EQ(parse_peek_options({"--via=auto", "1", "0x10"}).via, Via::Auto);
	EXPECT_NE(error_of({"--via", "task", "1", "0x10"}).find("--via"), std::string::npos);
	EXPECT_NE(error_of({"--via", "Kfunc", "1", "0x10"}).find("--via"), std::string::npos);
}

TEST(PeekOptions, BadInputIsExplained)
{
	EXPECT_NE(error_of({}).find("PID"), std::string::npos);
	EXPECT_NE(error_of({"1"}).find("ADDR"), std::string::npos);
	EXPECT_NE(error_of({"0", "0x10"}).find("PID: must be a positive number"), std::string::npos);
	EXPECT_NE(error_of({"x1", "0x10"}).find("'x1'"), std::string::npos);
	EXPECT_NE(error_of({"1", "0xzz"}).find("ADDR: must be a number"), std::string::npos);
	EXPECT_NE(error_of({"1", "0x10", "0"}).find("SIZE: must be a number from 1 to 67108864"),
		  std::string::npos);
	EXPECT_NE(error_of({"1", "0x10", "67108865"}).find("SIZE"), std::string::npos);
	EXPECT_FALSE(error_of({"1", "0x10", "67108864"}).size());
	EXPECT_FALSE(error_of({"1", "0x10", "8", "9"}).empty());
	EXPECT_FALSE(error_of({"--frobnicate", "1", "0x10"}).empty());
}

TEST(PeekOptions, HelpIsNotAnError)
{
	EXPECT_THROW(parse_peek_options({"--help"}), cfur::cli::HelpRequested);
}
