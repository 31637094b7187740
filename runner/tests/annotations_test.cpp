// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "annotations.hpp"
#include "report.hpp"

using cfur::first_missing_message;
using cfur::parse_annotations;

TEST(Annotations, FailureWithMessagesInCounterOrder)
{
	auto e = parse_annotations({
		"comment:test_expect_msg=12=second",
		"comment:test_expect_failure",
		"comment:test_description=a test",
		"comment:test_expect_msg=3=first",
	});
	EXPECT_TRUE(e.expect_failure);
	EXPECT_EQ(e.description, "a test");
	ASSERT_EQ(e.messages.size(), 2u);
	EXPECT_EQ(e.messages[0], "first");
	EXPECT_EQ(e.messages[1], "second");
	EXPECT_TRUE(e.unsupported.empty());
}

TEST(Annotations, MessageMayContainEquals)
{
	auto e = parse_annotations({"comment:test_expect_msg=1=R1 off=-8 size=16"});
	ASSERT_EQ(e.messages.size(), 1u);
	EXPECT_EQ(e.messages[0], "R1 off=-8 size=16");
}

TEST(Annotations, SuccessIsTheDefault)
{
	EXPECT_FALSE(parse_annotations({}).expect_failure);
	EXPECT_FALSE(parse_annotations({"comment:test_expect_success"}).expect_failure);
}

TEST(Annotations, UnknownTestTagsAreReportedNotIgnored)
{
	auto e = parse_annotations({"comment:test_retval=0", "comment:not_a_test_tag"});
	ASSERT_EQ(e.unsupported.size(), 1u);
	EXPECT_EQ(e.unsupported[0], "comment:test_retval=0");
}

TEST(Annotations, MessagesMustAppearInOrder)
{
	EXPECT_FALSE(first_missing_message("a b c", {"a", "c"}));
	EXPECT_EQ(first_missing_message("a b c", {"c", "a"}).value(), "a");
	EXPECT_EQ(first_missing_message("", {"x"}).value(), "x");
}

TEST(Filter, SubstringsLikeTestProgs)
{
	cfur::Filter all;
	EXPECT_TRUE(all.selects_test("anything"));

	cfur::Filter f({"copy_from_user_remote"});
	EXPECT_TRUE(f.selects_test("copy_from_user_remote"));
	EXPECT_TRUE(f.selects_test("verifier_copy_from_user_remote"));
	EXPECT_FALSE(f.selects_test("bpf_iter"));
	EXPECT_TRUE(f.selects_subtest("copy_from_user_remote", "seed"));

	cfur::Filter sub({"copy_from_user_remote/eed"});
	EXPECT_TRUE(sub.selects_subtest("copy_from_user_remote", "seed"));
	EXPECT_FALSE(sub.selects_subtest("copy_from_user_remote", "sizes"));
}
