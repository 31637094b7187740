// SPDX-License-Identifier: GPL-2.0
// cfur-runner -J: the JSON summary test_progs -J writes.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "json_summary.hpp"

using cfur::Outcome;
using cfur::TestRun;

namespace {

std::vector<TestRun> sample()
{
	return {
		{"alpha",
		 1,
		 {{"alpha/one", Outcome::Pass, 1, ""},
		  {"alpha/two", Outcome::Fail, 2, "alpha:9: FAIL x: 1 != 2\n"},
		  {"alpha/three", Outcome::Skip, 3, ""}}},
		{"beta", 2, {{"beta", Outcome::Pass, 0, ""}}},
		{"gamma",
		 4,
		 {{"gamma", Outcome::Fail, 0, "gamma: crashed: signal 11 (Segmentation fault)\n"}}},
		{"delta", 5, {{"delta", Outcome::Skip, 0, ""}}},
	};
}

} // namespace

TEST(JsonSummary, CountsAsTestProgs)
{
	auto j = cfur::json_summary(sample());
	EXPECT_EQ(j["success"], 2);	    // beta, delta: no failure
	EXPECT_EQ(j["success_subtest"], 1); // alpha/one
	EXPECT_EQ(j["skipped"], 2);	    // alpha/three, delta
	EXPECT_EQ(j["failed"], 2);	    // alpha, gamma
}

TEST(JsonSummary, ResultsHoldEveryTestAndEverySubtestThatRan)
{
	const auto j = cfur::json_summary(sample());
	ASSERT_EQ(j["results"].size(), 4u);
	const auto &alpha = j["results"][0];
	EXPECT_EQ(alpha["name"], "alpha");
	EXPECT_EQ(alpha["number"], 1);
	EXPECT_EQ(alpha["message"], "");
	EXPECT_EQ(alpha["failed"], true);
	ASSERT_EQ(alpha["subtests"].size(), 2u); // alpha/three was skipped
	EXPECT_EQ(alpha["subtests"][0]["name"], "one");
	EXPECT_EQ(alpha["subtests"][0]["failed"], false);
	EXPECT_EQ(alpha["subtests"][1]["name"], "two");
	EXPECT_EQ(alpha["subtests"][1]["number"], 2);
	EXPECT_EQ(alpha["subtests"][1]["message"], "alpha:9: FAIL x: 1 != 2\n");
	EXPECT_EQ(alpha["subtests"][1]["failed"], true);
	EXPECT_EQ(j["results"][1]["name"], "beta");
	EXPECT_EQ(j["results"][1]["failed"], false);
	const auto &gamma = j["results"][2];
	EXPECT_EQ(gamma["number"], 4);
	EXPECT_NE(gamma["message"].get<std::string>().find("crashed"), std::string::npos);
	EXPECT_TRUE(gamma["subtests"].empty());
}

TEST(JsonSummary, KeysInTestProgsOrder)
{
	std::string text = cfur::json_summary(sample()).dump();
	EXPECT_EQ(text.rfind("{\"success\":2,\"success_subtest\":1,\"skipped\":2,\"failed\":2,"
			     "\"results\":[{\"name\":\"alpha\",\"number\":1,\"message\":\"\",\"failed\":true,"
			     "\"subtests\":[{\"name\":\"one\",\"number\":1,",
			     0),
		  0u)
		<< text;
}

TEST(JsonSummary, FileIsOneLineOfJson)
{
	char path[] = "/tmp/cfur-json-summary-XXXXXX";
	int fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	close(fd);
	cfur::JsonSummaryFile(path).write(sample());
	std::ifstream in(path);
	std::stringstream text;
	text << in.rdbuf();
	std::remove(path);
	EXPECT_EQ(nlohmann::json::parse(text.str())["failed"], 2);
	EXPECT_EQ(text.str().find('\n'), text.str().size() - 1);
}

TEST(JsonSummary, AnUnwritablePathIsNamed)
{
	try {
		cfur::JsonSummaryFile("/nonexistent/dir/summary.json");
		ADD_FAILURE() << "no error";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("-J /nonexistent/dir/summary.json"),
			  std::string::npos)
			<< e.what();
	}
}
