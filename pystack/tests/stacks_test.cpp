// SPDX-License-Identifier: GPL-2.0
// From a sample to stacks and profiles: symbols and line numbers, the
// collapsed form, the idle marker, the expected-stacks check, the summary
// and the command line.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <sstream>

#include "fake_python.hpp"
#include "options.hpp"
#include "sampler.hpp"
#include "stacks.hpp"
#include "test_util.hpp"

using namespace pystack;
using pystack::test::error_of;

namespace {

py_symbol symbol(std::uint32_t id, const char *file, const char *name, int first)
{
	py_symbol s{};
	s.sym = id;
	s.firstlineno = first;
	s.file_len = static_cast<__u16>(std::strlen(file));
	s.name_len = static_cast<__u16>(std::strlen(name));
	s.file_kind = s.name_kind = 1;
	std::memcpy(s.file, file, s.file_len);
	std::memcpy(s.name, name, s.name_len);
	auto t = test::one_line_per_instruction(50);
	s.lines_len = static_cast<__u16>(t.size());
	std::memcpy(s.lines, t.data(), t.size());
	return s;
}

// Two threads: 7 (3 frames, innermost first as the walk stores them) and 9.
struct Sample {
	py_sample_hdr hdr{};
	py_target targets[1]{};
	py_thread threads[2]{};
	py_frame frames[4]{};
	Symbols symbols;
	mutable FrameTable table;

	Sample()
	{
		targets[0].pid = 42;
		threads[0].native_tid = 7;
		threads[0].depth = 3;
		threads[0].state = PY_STATE_IDLE;
		threads[1].native_tid = 9;
		threads[1].first = 3;
		threads[1].depth = 1;
		frames[0] = {3, 4};  // leaf, line 24
		frames[1] = {2, 1};  // middle, line 11
		frames[2] = {1, -1}; // <module>, not started: line 1
		frames[3] = {4, 0};  // run, line 5
		symbols.add(symbol(1, "a.py", "<module>", 1));
		symbols.add(symbol(2, "a.py", "middle", 10));
		symbols.add(symbol(3, "a.py", "leaf", 20));
		symbols.add(symbol(4, "t.py", "run", 5));
	}
	SampleView view() const { return {&hdr, targets, threads, frames, {}}; }
	std::vector<ThreadSample> stacks() const
	{
		return stacks_of(view(), symbols, table, [](pid_t, const py_thread &t) {
			return "T" + std::to_string(t.native_tid);
		});
	}
};

} // namespace

TEST(Stacks, OutermostFirstWithLineNumbers)
{
	std::vector<ThreadSample> st = Sample().stacks();
	ASSERT_EQ(st.size(), 2u);
	EXPECT_EQ(st[0].collapsed(false), "P42;T7;a.py:<module>:1;a.py:middle:11;a.py:leaf:24");
	EXPECT_EQ(st[0].collapsed(true), "P42;T7;a.py:<module>:1;a.py:middle:11;a.py:leaf:24;[idle]");
	EXPECT_EQ(st[1].collapsed(true), "P42;T9;t.py:run:5");
}

TEST(Stacks, AFrameIsMadeOnceAndSharedByTheStacksThatHaveIt)
{
	Sample s;
	std::vector<ThreadSample> a = s.stacks(), b = s.stacks();
	EXPECT_EQ(a[0].frames, b[0].frames);
	s.frames[0].lasti = 5; // the leaf moved on a line
	b = s.stacks();
	EXPECT_EQ(a[0].frames[1], b[0].frames[1]);
	EXPECT_NE(a[0].frames[2], b[0].frames[2]);
	EXPECT_EQ(b[0].frames[2]->line, 25);
	Profile p;
	for (const auto &t : {a[0], a[0], b[0]})
		p.add(t);
	EXPECT_EQ(p.size(), 2u);
}

TEST(Stacks, UnknownSymbolsShowAsQuestionMarks)
{
	Sample s;
	s.frames[1].sym = 99;
	EXPECT_EQ(s.stacks()[0].collapsed(false), "P42;T7;a.py:<module>:1;?:?:0;a.py:leaf:24");
	py_symbol unread = symbol(5, "x", "y", 1);
	unread.name_kind = 0;
	s.symbols.add(unread);
	s.frames[1].sym = 5;
	EXPECT_EQ(s.stacks()[0].collapsed(false), "P42;T7;a.py:<module>:1;x:?:2;a.py:leaf:24");
}

TEST(Strings, AllThreeKindsBecomeUtf8)
{
	EXPECT_EQ(to_utf8("abc", 3, 1), "abc");
	EXPECT_EQ(to_utf8("caf\xe9", 4, 1), "caf\xc3\xa9");
	const char ucs2[] = {'\xac', '\x20'}; // U+20AC EURO SIGN
	EXPECT_EQ(to_utf8(ucs2, 2, 2), "\xe2\x82\xac");
	const char ucs4[] = {'\x00', '\xf6', '\x01', '\x00'}; // U+1F600
	EXPECT_EQ(to_utf8(ucs4, 4, 4), "\xf0\x9f\x98\x80");
	EXPECT_EQ(to_utf8("ab", 2, 3), "");
}

// A target's names as its strs hold them: a lone surrogate (a non-UTF-8
// file name under surrogateescape) is no UTF-8, and a newline would forge
// lines of a collapsed file: both become U+FFFD.
TEST(Strings, WhatNoOutputMayHoldIsReplaced)
{
	const char lone[] = {'a', '\0', '\xff', '\xdc', 'b', '\0'}; // "a\udcffb"
	EXPECT_EQ(to_utf8(lone, 6, 2), "a\xef\xbf\xbd"
				       "b");
	EXPECT_EQ(to_utf8("f\nP1;T1 forged 99", 17, 1), "f\xef\xbf\xbdP1;T1 forged 99");
	EXPECT_EQ(to_utf8("\r\t\x7f", 3, 1), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	FrameInfo f{"f", "/a;b/x.py", 3, 1, ""};
	EXPECT_EQ(f.label(), "f (x.py:3)");
	FrameInfo g{"g;h", "/a/x.py", 3, 1, ""};
	EXPECT_EQ(g.label(), "g,h (x.py:3)");
}

TEST(Profile, CountsCollapsedStacks)
{
	std::vector<ThreadSample> st = Sample().stacks();
	Profile p(true);
	for (int i = 0; i < 2; i++)
		for (const ThreadSample &t : st)
			p.add(t);
	std::ostringstream out;
	p.write(out);
	// the collapsed file names frames as flame graphs show them ...
	EXPECT_EQ(out.str(), "P42;T7;<module> (a.py:1);middle (a.py:11);leaf (a.py:24);[idle] 2\n"
			     "P42;T9;run (t.py:5) 2\n");
	// ... --expect compares the form the test programs write
	EXPECT_EQ(st[0].collapsed(true), "P42;T7;a.py:<module>:1;a.py:middle:11;a.py:leaf:24;[idle]");
}

TEST(Expected, MatchesOnlyTheExactSetOfStacks)
{
	std::istringstream in("# comment\nP42;T7;a.py:<module>:1;a.py:middle:11;a.py:leaf:24\n"
			      "P42;T9;t.py:run:5\n");
	Expected e = Expected::parse(in);
	EXPECT_EQ(e.size(), 2u);
	Sample s;
	std::vector<ThreadSample> st = s.stacks();
	EXPECT_TRUE(e.matches(st, false));
	EXPECT_FALSE(e.matches(st, true)) << "the idle marker is part of the stack";
	FrameInfo other = *st[0].frames.back();
	other.line = 23; // another line
	st[0].frames.back() = s.table.get(other);
	EXPECT_FALSE(e.matches(st, false));
	st = Sample().stacks();
	st.push_back(st[1]);
	st.back().tid = 11;
	st.back().thread = "T11"; // a thread too many
	EXPECT_FALSE(e.matches(st, false));
	st = Sample().stacks();
	st[1].error = -14; // a failed read never matches
	EXPECT_FALSE(e.matches(st, false));
	std::istringstream bad("a.py:main\n"), empty("# nothing\n");
	EXPECT_THROW(Expected::parse(bad), std::runtime_error);
	EXPECT_THROW(Expected::parse(empty), std::runtime_error);
}

TEST(Summary, ShowsCostsConsistencyAndRatios)
{
	Options o;
	Sample s;
	s.threads[1].consistency = PY_TORN;
	s.threads[1].state = PY_STATE_ON_CPU;
	s.threads[1].gil = 1;
	s.hdr.reads = 8;
	s.hdr.torn[PY_TORN_MOVED] = 2;
	s.hdr.torn[PY_TORN_AFTER] = 1;
	WalkerStats a, b;
	a.name = "bpf";
	b.name = "pvm";
	a.active_ns = b.active_ns = 1e9;
	a.add(s.view(), s.stacks(), 1000, 1100, 1, nullptr, o);
	s.hdr.reads = 342;
	b.add(s.view(), s.stacks(), 4000, 4400, 342, nullptr, o);
	EXPECT_EQ(a.busy, 1u);
	EXPECT_EQ(a.busy_kept, 0u);
	EXPECT_DOUBLE_EQ(a.mean_depth(), 2.0);
	std::ostringstream out;
	write_summary(out, {a, b}, o, nullptr);
	EXPECT_NE(out.str().find(
			  "pvm/bpf per sample: CPU 4.00x, syscalls 342.0x, reads 42.8x, wall 4.00x"),
		  std::string::npos)
		<< out.str();
	EXPECT_NE(out.str().find("GIL (bpf): P42 T9 held it in 100.0% of samples"), std::string::npos)
		<< out.str();
	EXPECT_NE(out.str().find("bpf: torn walks: 2 moved right after the copy, 1 changed during the "
				 "walk, 0 with a frame half made, 0 with a frame read alone above the "
				 "copy, 0 exited"),
		  std::string::npos)
		<< out.str();
	o.consistent = true;
	WalkerStats c;
	c.add(s.view(), s.stacks(), 1, 1, 1, nullptr, o);
	EXPECT_EQ(c.dropped, 1u);
	EXPECT_EQ(c.profile.size(), 1u) << "--consistent leaves torn thread samples out";
}

TEST(Summary, NamesTheFirstErrorAndTheLimitsHit)
{
	Options o;
	Sample s;
	s.threads[1].error = -14;
	s.threads[0].truncated = 1;
	WalkerStats w;
	w.name = "bpf";
	w.add(s.view(), s.stacks(), 1, 1, 1, nullptr, o);
	EXPECT_EQ(w.errors, 1u);
	EXPECT_NE(w.first_error.find("pid 42 thread 9: a read failed: Bad address"), std::string::npos)
		<< w.first_error;
	std::ostringstream out;
	write_summary(out, {w}, o, nullptr);
	EXPECT_NE(out.str().find("1 thread stacks were cut at --max-depth 1024: raise it"),
		  std::string::npos)
		<< out.str();
}

// The code objects a walker read in the warm-up stay read: a parked
// target's are all read then, and the summary said "0 code objects read".
TEST(Summary, CountsTheCodeObjectsReadInTheWarmUp)
{
	Options o;
	Sample s;
	WalkerStats w;
	w.name = "bpf";
	s.hdr.symbols_sent = 4;
	w.add(s.view(), s.stacks(), 1, 1, 1, nullptr, o);
	w.forget_samples();
	s.hdr.symbols_sent = 0;
	s.hdr.code_checks = 4;
	w.add(s.view(), s.stacks(), 1, 1, 1, nullptr, o);
	EXPECT_EQ(w.samples, 1u);
	std::ostringstream out;
	write_summary(out, {w}, o, nullptr);
	EXPECT_NE(out.str().find("bpf: 4 code objects read, 4 checked again"), std::string::npos)
		<< out.str();
}

// --walker auto: the helper, else the module's kfunc, else the task walk.
TEST(Options, AutoPicksTheBestWalkTheKernelOffers)
{
	EXPECT_STREQ(pick_walker(true, true), "bpf");
	EXPECT_STREQ(pick_walker(true, false), "bpf");
	EXPECT_STREQ(pick_walker(false, true), "kfunc");
	EXPECT_STREQ(pick_walker(false, false), "task");
}

TEST(Options, WalkersAndDefaults)
{
	Options o = parse_options({"--pid", "42"});
	EXPECT_EQ(o.pids, std::vector<pid_t>{42});
	EXPECT_EQ(o.walkers, std::vector<std::string>{"auto"});
	EXPECT_TRUE(o.by_duration());
	EXPECT_EQ(o.duration, 5.0);
	EXPECT_EQ(o.sample_count(), ULONG_MAX);
	EXPECT_EQ(o.walk_settings().retries, 4u);
	EXPECT_EQ(parse_walkers("both"), (std::vector<std::string>{"bpf", "pvm"}));
	EXPECT_EQ(parse_walkers("all"), (std::vector<std::string>{"bpf", "task", "austin", "pvm"}));
	EXPECT_EQ(parse_walkers("pvm,austin"), (std::vector<std::string>{"pvm", "austin"}));
	EXPECT_EQ(parse_walkers("kfunc,auto"), (std::vector<std::string>{"kfunc", "auto"}));
	EXPECT_THROW(parse_walkers("kfunc,kfunc"), std::invalid_argument);
	EXPECT_THROW(parse_walkers("module"), std::invalid_argument);
	o = parse_options({"--pid", "1", "--pid", "2", "--samples", "7", "--rate", "50", "--mode",
			   "cpu", "--idle", "--max-depth", "64", "--format", "pprof,collapsed",
			   "--layout", "table"});
	EXPECT_EQ(o.pids, (std::vector<pid_t>{1, 2}));
	EXPECT_EQ(o.sample_count(), 7u);
	EXPECT_FALSE(o.by_duration());
	EXPECT_TRUE(o.cpu_mode);
	EXPECT_EQ(o.formats, (std::vector<std::string>{"pprof", "collapsed"}));
	EXPECT_EQ(o.layout, LayoutChoice::table);
	WalkSettings s = o.walk_settings();
	EXPECT_EQ(s.max_depth, 64u);
	EXPECT_EQ(s.max_frames, 256u * 64);
	EXPECT_TRUE(s.need_state);
	EXPECT_THROW(parse_options({"--help"}), HelpRequested);
}

TEST(Options, BadInputIsNamed)
{
	auto msg = [](std::vector<std::string> args) {
		return error_of([&] { parse_options(args); });
	};
	auto says = [&](std::vector<std::string> args, const std::string &what) {
		std::string m = msg(args);
		EXPECT_NE(m.find(what), std::string::npos) << "got: " << m;
	};
	says({}, "--pid is required");
	says({"--pid", "x"}, "--pid");
	says({"--pid", "0"}, "--pid");
	says({"--pid", "1", "--walker", "gdb"}, "not 'gdb'");
	says({"--pid", "1", "--walker", "bpf,bpf"}, "twice");
	says({"--pid", "1", "--rate", "0"}, "--rate");
	says({"--pid", "1", "--mode", "idle"}, "--mode");
	says({"--pid", "1", "--retries", "11"}, "--retries");
	says({"--pid", "1", "--max-depth", "0"}, "--max-depth");
	says({"--pid", "1", "--max-threads", "70000"}, "--max-threads");
	says({"--pid", "1", "--max-code", "1"}, "--max-code");
	says({"--pid", "1", "--layout", "guess"}, "--layout");
	says({"--pid", "1", "--format", "html"}, "--format");
	says({"--pid", "1", "--slice", "0"}, "--slice");
	says({"--pid", "1", "--samples", "5", "--duration", "2"}, "excludes");
	says({"--pid", "1", "--min-match", "50"}, "requires --expect");
	says({"--pid", "1", "--frobnicate"}, "--frobnicate");
	says({"--pid", "1", "--out"}, "--out");
	says({"--pid", "1", "--pid", "2", "--max-targets", "1"}, "more --pid than --max-targets");
}
