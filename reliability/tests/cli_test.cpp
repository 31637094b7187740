// SPDX-License-Identifier: GPL-2.0
// --via and --flags, which fuzz, stress and leak take: the kfunc's default
// flags, and no flags for the helper.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "command_line.hpp"

using namespace cfur::rel;

namespace {

struct Parsed {
	Via via;
	FlagMode flags;
};

// As stress and leak: the kfunc's default is mixed.
Parsed parse(const std::vector<std::string> &args)
{
	CLI::App app{"test", "cfur-test"};
	CallOptions call(app, {FlagMode::Zero, FlagMode::Nowait, FlagMode::Mixed}, FlagMode::Mixed);
	cfur::cli::parse(app, args);
	return {call.via(), call.flags()};
}

const auto error_of = cfur::cli::error_finder(parse);

} // namespace

TEST(CallOptions, TheHelperByDefaultWithoutFlags)
{
	auto p = parse({});
	EXPECT_EQ(p.via, Via::Helper);
	EXPECT_EQ(p.flags, FlagMode::Zero);
}

TEST(CallOptions, TheKfuncGetsItsDefaultOrTheFlagsAskedFor)
{
	EXPECT_EQ(parse({"--via", "kfunc"}).flags, FlagMode::Mixed);
	auto p = parse({"--via", "kfunc", "--flags", "nowait"});
	EXPECT_EQ(p.via, Via::Kfunc);
	EXPECT_EQ(p.flags, FlagMode::Nowait);
	EXPECT_EQ(parse({"--flags", "0"}).flags, FlagMode::Zero);
}

TEST(CallOptions, BadInputNamesTheOption)
{
	EXPECT_NE(error_of({"--via", "task"}).find("--via"), std::string::npos);
	EXPECT_NE(error_of({"--via", "kfunc", "--flags", "fuzz"}).find("--flags"), std::string::npos);
	EXPECT_NE(error_of({"--flags", "nowait"}).find("the helper takes no flags; add --via kfunc"),
		  std::string::npos);
}

TEST(CallOptions, HelpNamesThem)
{
	std::string help = cfur::cli::help_of(parse);
	EXPECT_NE(help.find("--via"), std::string::npos);
	EXPECT_NE(help.find("--flags"), std::string::npos);
}
