// SPDX-License-Identifier: GPL-2.0
// The contract checker (the helper's, and the kfunc's in its terms) and the
// fuzzer's model of its region.
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "contract.hpp"
#include "layout.hpp"
#include "region.hpp"

using namespace cfur::rel;

namespace {

constexpr std::byte P{0xa5};

std::vector<std::byte> slot_after(std::uint64_t addr, std::uint32_t size, bool ok)
{
	std::vector<std::byte> b(64, P);
	for (std::uint32_t i = 0; i < size; ++i)
		b[i] = ok ? std::byte{pattern_at(addr + i)} : std::byte{0};
	return b;
}

} // namespace

TEST(Contract, SuccessWithTheTargetsBytes)
{
	auto b = slot_after(0x1000, 16, true);
	EXPECT_EQ(check_call({16, 0x1000, 16, b, P, {}}).outcome, Outcome::Ok);
}

TEST(Contract, SuccessWithOtherBytesIsWrong)
{
	auto b = slot_after(0x1000, 16, true);
	b[3] ^= std::byte{1};
	Verdict v = check_call({16, 0x1000, 16, b, P, {}});
	EXPECT_EQ(v.outcome, Outcome::Wrong);
	EXPECT_NE(v.problem.find("byte 3"), std::string::npos) << v.problem;
}

TEST(Contract, ErrorsMustZeroDst)
{
	auto zero = slot_after(0x1000, 16, false);
	EXPECT_EQ(check_call({-EFAULT, 0x1000, 16, zero, P, {}}).outcome, Outcome::Efault);
	EXPECT_EQ(check_call({-ESRCH, 0x1000, 16, zero, P, {}}).outcome, Outcome::Esrch);
	std::vector<std::byte> untouched(64, P); // the 2022 prototype's mistake
	Verdict v = check_call({-ESRCH, 0x1000, 16, untouched, P, {}});
	EXPECT_EQ(v.outcome, Outcome::Wrong);
	EXPECT_NE(v.problem.find("not zero"), std::string::npos) << v.problem;
}

TEST(Contract, WritingPastSizeIsWrong)
{
	auto b = slot_after(0x1000, 16, false);
	b[16] = std::byte{0};
	EXPECT_EQ(check_call({-EFAULT, 0x1000, 16, b, P, {}}).outcome, Outcome::Wrong);
}

TEST(Contract, ShortReadsAndOtherValuesAreWrong)
{
	auto b = slot_after(0x1000, 8, true);
	EXPECT_EQ(check_call({8, 0x1000, 16, b, P, {}}).outcome, Outcome::Wrong);
	EXPECT_EQ(check_call({-EINVAL, 0x1000, 16, b, P, {}}).outcome, Outcome::Wrong);
}

TEST(Contract, ExpectedReturnIsEnforced)
{
	auto zero = slot_after(0x1000, 16, false);
	EXPECT_EQ(check_call({-EFAULT, 0x1000, 16, zero, P, -ESRCH}).outcome, Outcome::Wrong);
	std::vector<std::byte> none(64, P);
	EXPECT_EQ(check_call({0, 0x1000, 0, none, P, 0}).outcome, Outcome::Ok);
}

TEST(Kfunc, ZeroIsSizeAndErrorsStay)
{
	EXPECT_EQ(kfunc_to_helper(0, 16), 16);
	EXPECT_EQ(kfunc_to_helper(0, 0), 0);
	EXPECT_EQ(kfunc_to_helper(-EFAULT, 16), -EFAULT);
	EXPECT_EQ(kfunc_to_helper(-EAGAIN, 16), -EAGAIN);
	auto b = slot_after(0x1000, 16, true);
	EXPECT_EQ(check_call({kfunc_to_helper(0, 16), 0x1000, 16, b, P, 16}).outcome, Outcome::Ok);
}

TEST(Kfunc, APositiveReturnIsNeverSize)
{
	// A kfunc that returned size, as the helper does, is wrong.
	auto b = slot_after(0x1000, 16, true);
	long r = kfunc_to_helper(16, 16);
	EXPECT_NE(r, 16);
	Verdict v = check_call({r, 0x1000, 16, b, P, 16});
	EXPECT_EQ(v.outcome, Outcome::Wrong);
	EXPECT_NE(v.problem.find("the kfunc returned 16"), std::string::npos) << v.problem;
	EXPECT_EQ(check_call({kfunc_to_helper(1L << 40, 16), 0x1000, 16, b, P, {}}).outcome,
		  Outcome::Wrong);
}

TEST(Kfunc, UnknownFlagsGiveEinvalZeroed)
{
	auto zero = slot_after(0x1000, 16, false);
	for (std::uint64_t f :
	     std::initializer_list<std::uint64_t>{2, 1ULL << 63, ~0ULL, kCopyNowait | 4})
		EXPECT_EQ(check_call({-EINVAL, 0x1000, 16, zero, P, 16, f}).outcome, Outcome::Einval)
			<< f;
	// Whatever the call would have returned with flags 0.
	EXPECT_EQ(check_call({-EINVAL, 0x1000, 16, zero, P, -ESRCH, 2}).outcome, Outcome::Einval);
	auto data = slot_after(0x1000, 16, true);
	Verdict v = check_call({16, 0x1000, 16, data, P, 16, 2});
	EXPECT_EQ(v.outcome, Outcome::Wrong);
	EXPECT_NE(v.problem.find("expected -EINVAL"), std::string::npos) << v.problem;
	EXPECT_EQ(check_call({-EINVAL, 0x1000, 16, data, P, 16, 2}).outcome, Outcome::Wrong);
	EXPECT_EQ(check_call({-EFAULT, 0x1000, 16, zero, P, -EFAULT, 2}).outcome, Outcome::Wrong);
	// Size 0 too: flags are checked first.
	std::vector<std::byte> none(64, P);
	EXPECT_EQ(check_call({-EINVAL, 0x1000, 0, none, P, 0, 2}).outcome, Outcome::Einval);
	EXPECT_EQ(check_call({0, 0x1000, 0, none, P, 0, 2}).outcome, Outcome::Wrong);
	// And nothing past size.
	auto past = zero;
	past[16] = std::byte{0};
	EXPECT_EQ(check_call({-EINVAL, 0x1000, 16, past, P, 16, 2}).outcome, Outcome::Wrong);
}

TEST(Kfunc, NowaitAgreesWithFlagsZeroOrGivesEagainZeroed)
{
	auto data = slot_after(0x1000, 16, true);
	auto zero = slot_after(0x1000, 16, false);
	EXPECT_EQ(check_call({16, 0x1000, 16, data, P, 16, kCopyNowait}).outcome, Outcome::Ok);
	EXPECT_EQ(check_call({-EAGAIN, 0x1000, 16, zero, P, 16, kCopyNowait}).outcome, Outcome::Eagain);
	EXPECT_EQ(check_call({-EAGAIN, 0x1000, 16, zero, P, -EFAULT, kCopyNowait}).outcome,
		  Outcome::Eagain);
	EXPECT_EQ(check_call({-EFAULT, 0x1000, 16, zero, P, -EFAULT, kCopyNowait}).outcome,
		  Outcome::Efault);
	// Without an expectation (the stress), too.
	EXPECT_EQ(check_call({-EAGAIN, 0x1000, 16, zero, P, {}, kCopyNowait}).outcome, Outcome::Eagain);
	// Disagreeing with flags 0 otherwise is wrong.
	Verdict v = check_call({-EFAULT, 0x1000, 16, zero, P, 16, kCopyNowait});
	EXPECT_EQ(v.outcome, Outcome::Wrong);
	EXPECT_NE(v.problem.find("or -EAGAIN"), std::string::npos) << v.problem;
	// -EAGAIN with dst not zeroed, or without the flag, is wrong.
	std::vector<std::byte> untouched(64, P);
	EXPECT_EQ(check_call({-EAGAIN, 0x1000, 16, untouched, P, 16, kCopyNowait}).outcome,
		  Outcome::Wrong);
	EXPECT_EQ(check_call({-EAGAIN, 0x1000, 16, zero, P, 16}).outcome, Outcome::Wrong);
	EXPECT_EQ(check_call({-EAGAIN, 0x1000, 16, zero, P, {}}).outcome, Outcome::Wrong);
}

TEST(Layout, ReadsInsideReadablePagesSucceed)
{
	// "HHRRRRNRRRHRRRRRNHRRRRHH": page 2 is the first readable one.
	EXPECT_EQ(expected_in_layout(kFuzzLayout, page_addr(2), 100), 100);
	EXPECT_EQ(expected_in_layout(kFuzzLayout, page_addr(2) + 10, 4 * 4096 - 10), 4 * 4096 - 10);
}

TEST(Layout, AnyByteOnAHoleOrProtNonePageFaults)
{
	EXPECT_EQ(expected_in_layout(kFuzzLayout, page_addr(1), 8), -EFAULT);	  // hole
	EXPECT_EQ(expected_in_layout(kFuzzLayout, page_addr(6) - 4, 8), -EFAULT); // into PROT_NONE
	EXPECT_EQ(expected_in_layout(kFuzzLayout, page_addr(6) - 8, 8), 8); // ends right before it
	EXPECT_EQ(expected_in_layout(kFuzzLayout, page_addr(2) - 1, 2), -EFAULT); // from a hole
}

TEST(Layout, OutsideTheRegionAndWrapAroundFault)
{
	EXPECT_EQ(expected_in_layout(kFuzzLayout, 0, 8), -EFAULT);
	EXPECT_EQ(expected_in_layout(kFuzzLayout, 0xfffffffffffff000ULL, 8192), -EFAULT);
	EXPECT_EQ(expected_in_layout(kFuzzLayout, 0, 0), 0);
}
