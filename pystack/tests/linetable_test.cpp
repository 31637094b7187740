// SPDX-License-Identifier: GPL-2.0
// The location-table decoder (one format in 3.11, 3.12, 3.13): each entry form by hand, then every
// instruction of every code object of a few standard modules against what
// each CPython itself says (co_lines): Debian's 3.11, pyenv's 3.12.1 and 3.13.0.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "linetable.hpp"

using namespace pystack;

namespace {

std::vector<std::uint8_t> entry(unsigned code, int units, std::vector<std::uint8_t> payload = {})
{
	std::vector<std::uint8_t> e{static_cast<std::uint8_t>(0x80 | (code << 3) | (units - 1))};
	e.insert(e.end(), payload.begin(), payload.end());
	return e;
}

std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts)
{
	std::vector<std::uint8_t> out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

// A Python's own view of every code object in a few modules: its
// location table, first line, and (start, end, line) ranges.
const char kDump[] = R"(
import json, types, importlib.util
out = []
def walk(code):
    out.append({"table": code.co_linetable.hex(), "first": code.co_firstlineno,
                "size": len(code.co_code),
                "lines": [[s, e, -1 if l is None else l] for s, e, l in code.co_lines()]})
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            walk(c)
for name in ("threading", "json.decoder", "dis", "argparse"):
    spec = importlib.util.find_spec(name)
    walk(compile(open(spec.origin).read(), spec.origin, "exec"))
print(json.dumps(out))
)";

nlohmann::json python_line_tables(const std::string &python)
{
	std::string cmd = python + " -c '" + std::string(kDump) + "'";
	std::unique_ptr<FILE, int (*)(FILE *)> p(popen(cmd.c_str(), "r"), pclose);
	std::string text;
	char buf[65536];
	std::size_t n;
	while (p && (n = fread(buf, 1, sizeof(buf), p.get())) > 0)
		text.append(buf, n);
	return nlohmann::json::parse(text, nullptr, false);
}

std::vector<std::uint8_t> unhex(const std::string &hex)
{
	std::vector<std::uint8_t> out;
	for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
		out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
	return out;
}

} // namespace

TEST(LineTable, DecodesEveryEntryForm)
{
	auto t = cat({entry(13, 2, {0x00}),		      // no columns, +0: line 10, units 0-1
		      entry(5, 1, {0x12}),		      // short form (same line): unit 2
		      entry(11, 2, {0x03, 0x07}),	      // one line, +1: 11, units 3-4
		      entry(12, 1, {0x00, 0x01}),	      // one line, +2: 13, unit 5
		      entry(15, 1),			      // no location: unit 6
		      entry(14, 3, {0x09, 0x00, 0x02, 0x04}), // long, -4: 9, units 7-9
		      entry(13, 1, {0x48, 0x03}),	      // no columns, +100 (two-byte varint)
		      entry(10, 1, {0x00, 0x01})});	      // one line, +0
	LineTable lt(t, 10);
	EXPECT_EQ(lt.line_at(-1), 10) << "before the first instruction: co_firstlineno";
	EXPECT_EQ(lt.line_at(0), 10);
	EXPECT_EQ(lt.line_at(1), 10);
	EXPECT_EQ(lt.line_at(2), 10);
	EXPECT_EQ(lt.line_at(3), 11);
	EXPECT_EQ(lt.line_at(4), 11);
	EXPECT_EQ(lt.line_at(5), 13);
	EXPECT_EQ(lt.line_at(6), -1);
	EXPECT_EQ(lt.line_at(7), 9);
	EXPECT_EQ(lt.line_at(9), 9);
	EXPECT_EQ(lt.line_at(10), 109);
	EXPECT_EQ(lt.line_at(11), 109);
	EXPECT_EQ(lt.line_at(12), 0) << "past the table: unknown";
}

TEST(LineTable, ACutShortTableKnowsOnlyItsWholeEntries)
{
	auto t = cat({entry(13, 2, {0x00}), entry(13, 2, {0x02}), entry(13, 1, {0x48})});
	t.pop_back(); // the last entry's varint is cut
	LineTable lt(t, 10, true);
	EXPECT_EQ(lt.line_at(0), 10);
	EXPECT_EQ(lt.line_at(3), 11);
	EXPECT_EQ(lt.line_at(4), 0);
}

// Each version's own view: 3.12 inlines comprehensions and 3.13 emits
// other instruction sequences, with the same table format.
class LineTableOfEachVersion : public ::testing::TestWithParam<const char *> {};

TEST_P(LineTableOfEachVersion, AgreesWithThePythonOnEveryInstruction)
{
	const std::string python = GetParam();
	if (access(python.c_str(), X_OK) != 0)
		GTEST_SKIP() << python << " is not here";
	nlohmann::json codes = python_line_tables(python);
	ASSERT_TRUE(codes.is_array() && !codes.empty()) << python << " gave no line tables";
	std::size_t checked = 0;
	for (const auto &c : codes) {
		LineTable lt(unhex(c["table"].get<std::string>()), c["first"].get<int>());
		for (const auto &r : c["lines"]) {
			int start = r[0], end = r[1], line = r[2];
			for (int offset = start; offset < end; offset += 2, checked++)
				ASSERT_EQ(lt.line_at(offset / 2), line)
					<< python << ": instruction at byte " << offset
					<< " of a code object starting at line "
					<< c["first"].get<int>();
		}
	}
	EXPECT_GT(checked, 10000u);
}

INSTANTIATE_TEST_SUITE_P(Pythons, LineTableOfEachVersion,
			 ::testing::Values("/usr/bin/python3.11",
					   "/root/.pyenv/versions/3.12.1/bin/python3.12",
					   "/root/.pyenv/versions/3.13.0/bin/python3.13"));
