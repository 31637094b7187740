// SPDX-License-Identifier: GPL-2.0
// Expectations of a verifier test program, from the BTF decl tags that
// bpf_misc.h's __success, __failure, __msg and __description leave.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cfur {

struct Expectations {
	bool expect_failure = false;
	std::string description;
	std::vector<std::string> messages;    // in the order they must appear
	std::vector<std::string> unsupported; // tags this runner cannot honour
};

// Builds expectations from a program's "comment:test_..." decl tags.
Expectations parse_annotations(const std::vector<std::string> &tags);

// Checks that each message occurs in log, in order; returns the first one
// that does not.
std::optional<std::string> first_missing_message(std::string_view log,
						 const std::vector<std::string> &messages);

} // namespace cfur
