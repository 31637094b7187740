// SPDX-License-Identifier: GPL-2.0
#include "json_summary.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cfur {

namespace {

using Json = nlohmann::ordered_json;

Json entry(std::string name, int number, const std::string &message, bool failed)
{
	return Json{{"name", std::move(name)},
		    {"number", number},
		    {"message", message},
		    {"failed", failed}};
}

} // namespace

Json json_summary(const std::vector<TestRun> &tests)
{
	int success = 0, success_subtest = 0, skipped = 0, failed = 0;
	Json results = Json::array();
	for (const auto &t : tests) {
		bool test_failed = false;
		std::string message; // the test's own, outside its subtests
		Json subtests = Json::array();
		for (const auto &r : t.results) {
			test_failed |= r.outcome == Outcome::Fail;
			skipped += r.outcome == Outcome::Skip;
			if (r.number == 0) {
				message = r.message;
				continue;
			}
			success_subtest += r.outcome == Outcome::Pass;
			if (r.outcome != Outcome::Skip)
				subtests.push_back(entry(r.name.substr(t.name.size() + 1), r.number,
							 r.message, r.outcome == Outcome::Fail));
		}
		++(test_failed ? failed : success);
		Json test = entry(t.name, t.number, message, test_failed);
		test["subtests"] = std::move(subtests);
		results.push_back(std::move(test));
	}
	return Json{{"success", success},
		    {"success_subtest", success_subtest},
		    {"skipped", skipped},
		    {"failed", failed},
		    {"results", std::move(results)}};
}

JsonSummaryFile::JsonSummaryFile(const std::string &path) : path_(path), out_(path)
{
	if (!out_)
		throw std::runtime_error("-J " + path + ": cannot write it: " + std::strerror(errno));
}

void JsonSummaryFile::write(const std::vector<TestRun> &tests)
{
	out_ << json_summary(tests).dump() << '\n';
	out_.flush();
	if (!out_)
		throw std::runtime_error("-J " + path_ + ": writing failed: " + std::strerror(errno));
}

} // namespace cfur
