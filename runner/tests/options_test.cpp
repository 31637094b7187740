// SPDX-License-Identifier: GPL-2.0
// cfur-runner's command line: test_progs' -t (repeatable), -l, -w and -J.
#include <gtest/gtest.h>

#include "command_line.hpp"
#include "options.hpp"

using cfur::parse_run_options;

const auto error_of = cfur::cli::error_finder(parse_run_options);

TEST(RunnerOptions, DefaultsAreTestProgs)
{
	auto o = parse_run_options({});
	EXPECT_TRUE(o.patterns.empty());
	EXPECT_FALSE(o.list);
	EXPECT_EQ(o.timeout.count(), 120);
	EXPECT_EQ(o.json_summary, "");
}

TEST(RunnerOptions, TestProgsSpellings)
{
	auto o = parse_run_options({"-t", "a", "-t", "b/c", "-l", "-w", "0", "-J", "out.json"});
	EXPECT_EQ(o.patterns, (std::vector<std::string>{"a", "b/c"}));
	EXPECT_TRUE(o.list);
	EXPECT_EQ(o.timeout.count(), 0);
	EXPECT_EQ(o.json_summary, "out.json");
	EXPECT_EQ(parse_run_options({"--json-summary", "x"}).json_summary, "x");
}

TEST(RunnerOptions, BadInputNamesTheOption)
{
	EXPECT_NE(error_of({"-w", "86401"}).find("-w:"), std::string::npos);
	EXPECT_NE(error_of({"-w", "86401"}).find("range 0 to 86400"), std::string::npos);
	EXPECT_NE(error_of({"-w", "soon"}).find("-w"), std::string::npos);
	EXPECT_NE(error_of({"-t"}).find("-t"), std::string::npos);
	EXPECT_NE(error_of({"-t", "a", "b"}).find("b"), std::string::npos); // one pattern per -t
	EXPECT_NE(error_of({"-x"}).find("-x"), std::string::npos);
}

TEST(RunnerOptions, HelpNamesTheOptions)
{
	std::string help = cfur::cli::help_of(parse_run_options);
	for (const char *opt : {"-t", "-l", "-w", "-J"})
		EXPECT_NE(help.find(opt), std::string::npos) << opt;
}
