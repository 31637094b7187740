// SPDX-License-Identifier: GPL-2.0
// pystack without BPF: the DWARF reader and the layout it builds (against
// fixture.o, whose types have CPython's names and a layout of their own),
// /proc maps, versions, stacks, the expected-stacks check, the summary, the
// options and the errors a user meets.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>

#include "dwarf_types.hpp"
#include "layout.hpp"
#include "options.hpp"
#include "python_process.hpp"
#include "sampler.hpp"
#include "stacks.hpp"

#include "fixture.h"

#ifndef FIXTURE_OBJ
#error "build with -DFIXTURE_OBJ=\"path/to/fixture.o\""
#endif

using namespace pystack;

namespace {

// The lowest bit a bit-field occupies in the 32-bit word at `state`.
template <typename Set>
unsigned state_shift(Set set)
{
	PyASCIIObject o;
	std::memset(&o, 0, sizeof(o));
	set(o);
	std::uint32_t word;
	std::memcpy(&word, &o.state, sizeof(word));
	return static_cast<unsigned>(__builtin_ctz(word));
}

std::string error_of(const auto &fn)
{
	try {
		fn();
	} catch (const std::exception &e) {
		return e.what();
	}
	return "(no error)";
}

py_sample &make_sample()
{
	static py_sample s; // large: keep it off the stack
	std::memset(&s, 0, sizeof(s));
	auto frame = [](std::uint32_t i, const char *file, const char *name) {
		py_frame &f = s.frames[i];
		f.file_len = static_cast<__u16>(std::strlen(file));
		f.name_len = static_cast<__u16>(std::strlen(name));
		f.file_kind = f.name_kind = 1;
		std::memcpy(f.file, file, f.file_len);
		std::memcpy(f.name, name, f.name_len);
	};
	s.nthreads = 2;
	s.nframes = 4;
	// thread 7: innermost first, as the walk stores them
	s.threads[0] = {7, 0, 3, 0, 0};
	frame(0, "a.py", "leaf");
	frame(1, "a.py", "middle");
	frame(2, "a.py", "<module>");
	s.threads[1] = {9, 3, 1, 0, 0};
	frame(3, "t.py", "run");
	return s;
}

} // namespace

TEST(DwarfTypes, SizesAndOffsetsMatchTheCompiler)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(t.size_of("PyASCIIObject"), sizeof(PyASCIIObject));
	EXPECT_EQ(t.size_of("PyCompactUnicodeObject"), sizeof(PyCompactUnicodeObject));
	EXPECT_EQ(t.size_of("pyruntimestate"), sizeof(_PyRuntimeState));
	EXPECT_EQ(t.offset_of("PyCodeObject", "co_name"), offsetof(PyCodeObject, co_name));
	EXPECT_EQ(t.offset_of("_PyInterpreterFrame", "previous"),
		  offsetof(_PyInterpreterFrame, previous));
}

TEST(DwarfTypes, NestedPathsAddUp)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(t.offset_of("_PyRuntimeState", "interpreters.head"),
		  offsetof(_PyRuntimeState, interpreters) + offsetof(fx_interpreters, head));
	EXPECT_EQ(t.offset_of("PyInterpreterState", "threads.head"),
		  offsetof(PyInterpreterState, threads.head));
}

TEST(DwarfTypes, FindsMembersOfAnonymousUnions)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_EQ(t.offset_of("PyThreadState", "cframe"), offsetof(PyThreadState, cframe));
	EXPECT_EQ(t.offset_of("PyThreadState", "native_thread_id"),
		  offsetof(PyThreadState, native_thread_id));
}

TEST(DwarfTypes, BitFieldsCountFromTheLeastSignificantBit)
{
	DwarfTypes t(FIXTURE_OBJ);
	std::uint32_t base = offsetof(PyASCIIObject, state) * 8;
	EXPECT_EQ(t.bit_offset_of("PyASCIIObject", "state.kind") - base,
		  state_shift([](PyASCIIObject &o) { o.state.kind = 7; }));
	EXPECT_EQ(t.bit_offset_of("PyASCIIObject", "state.compact") - base,
		  state_shift([](PyASCIIObject &o) { o.state.compact = 1; }));
	EXPECT_EQ(t.bit_offset_of("PyASCIIObject", "state.ascii") - base,
		  state_shift([](PyASCIIObject &o) { o.state.ascii = 1; }));
	EXPECT_NE(error_of([&] { t.offset_of("PyASCIIObject", "state.kind"); }).find("bit-field"),
		  std::string::npos);
}

TEST(DwarfTypes, MissingTypesAndMembersAreNamed)
{
	DwarfTypes t(FIXTURE_OBJ);
	EXPECT_NE(error_of([&] { t.size_of("NoSuchType"); }).find("has no type NoSuchType"),
		  std::string::npos);
	EXPECT_NE(error_of([&] { t.offset_of("PyThreadState", "cframes"); })
			  .find("has no member PyThreadState.cframes"),
		  std::string::npos);
	EXPECT_NE(error_of([&] { t.offset_of("PyThreadState", "thread_id.x"); })
			  .find("PyThreadState.thread_id"),
		  std::string::npos);
}

TEST(DwarfTypes, AFileWithoutDwarfIsRefused)
{
	EXPECT_NE(error_of([] { DwarfTypes t("/nonexistent/file"); }).find("cannot open"),
		  std::string::npos);
}

TEST(Layout, ComesFromTheDebugInformation)
{
	DwarfTypes t(FIXTURE_OBJ);
	py_layout l = read_layout(t, 0x1000);
	EXPECT_EQ(l.runtime, 0x1000u);
	EXPECT_EQ(l.runtime_interp_head,
		  offsetof(_PyRuntimeState, interpreters) + offsetof(fx_interpreters, head));
	EXPECT_EQ(l.runtime_read, l.runtime_interp_head + 8);
	EXPECT_EQ(l.interp_threads_head, offsetof(PyInterpreterState, threads.head));
	EXPECT_EQ(l.tstate_next, offsetof(PyThreadState, next));
	EXPECT_EQ(l.tstate_cframe, offsetof(PyThreadState, cframe));
	EXPECT_EQ(l.tstate_native_tid, offsetof(PyThreadState, native_thread_id));
	EXPECT_EQ(l.tstate_read, offsetof(PyThreadState, native_thread_id) + 8);
	EXPECT_EQ(l.cframe_current_frame, offsetof(_PyCFrame, current_frame));
	EXPECT_EQ(l.frame_code, offsetof(_PyInterpreterFrame, f_code));
	EXPECT_EQ(l.frame_previous, offsetof(_PyInterpreterFrame, previous));
	EXPECT_EQ(l.frame_read, offsetof(_PyInterpreterFrame, previous) + 8);
	EXPECT_EQ(l.code_name, offsetof(PyCodeObject, co_name));
	EXPECT_EQ(l.code_filename, offsetof(PyCodeObject, co_filename));
	EXPECT_EQ(l.code_read, offsetof(PyCodeObject, co_name) + 8);
	EXPECT_EQ(l.str_length, offsetof(PyASCIIObject, length));
	EXPECT_EQ(l.str_state, offsetof(PyASCIIObject, state));
	EXPECT_EQ(l.ascii_size, sizeof(PyASCIIObject));
	EXPECT_EQ(l.compact_size, sizeof(PyCompactUnicodeObject));
	EXPECT_EQ(l.kind_shift, 2u);
	EXPECT_EQ(l.compact_shift, 5u);
	EXPECT_EQ(l.ascii_shift, 6u);
}

TEST(Maps, ParsesPathsAnonymousAndSpecialMappings)
{
	std::istringstream in(
		"00400000-00452000 r--p 00000000 08:02 173521      /usr/bin/python3.11\n"
		"7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
		"7ffd1000-7ffd3000 rw-p 00000000 00:00 0          [stack]\n"
		"7f1000000000-7f1000001000 r-xp 0001a000 08:02 99   /opt/my python/lib x.so\n");
	std::vector<Mapping> m = parse_maps(in);
	ASSERT_EQ(m.size(), 4u);
	EXPECT_EQ(m[0].start, 0x400000u);
	EXPECT_EQ(m[0].end, 0x452000u);
	EXPECT_EQ(m[0].perms, "r--p");
	EXPECT_EQ(m[0].path, "/usr/bin/python3.11");
	EXPECT_EQ(m[1].path, "");
	EXPECT_EQ(m[2].path, "[stack]");
	EXPECT_EQ(m[3].offset, 0x1a000u);
	EXPECT_EQ(m[3].path, "/opt/my python/lib x.so");
	std::istringstream bad("not a maps line\n");
	EXPECT_THROW(parse_maps(bad), std::runtime_error);
}

TEST(Version, DecodesPyVersionHex)
{
	EXPECT_EQ(decode_version(0x030b02f0).str(), "3.11.2");
	EXPECT_EQ(decode_version(0x030c00a1).str(), "3.12.0");
}

TEST(Version, DebugFileByBuildId)
{
	EXPECT_EQ(debug_file_path("/usr/lib/debug", "c561f3aa"),
		  "/usr/lib/debug/.build-id/c5/61f3aa.debug");
	EXPECT_EQ(debug_file_path("/usr/lib/debug", ""), "");
}

TEST(Inspect, NamesWhatIsWrongWithThePid)
{
	EXPECT_NE(error_of([] { inspect_python(999999999); }).find("no process with pid 999999999"),
		  std::string::npos);
	// this test binary is no Python
	EXPECT_NE(error_of([] { inspect_python(getpid()); }).find("is not a CPython process"),
		  std::string::npos);
}

TEST(Inspect, SaysWhatToInstallWithoutDebugInformation)
{
	ASSERT_EQ(access("/usr/bin/python3.11", X_OK), 0) << "/usr/bin/python3.11 is missing: make setup";
	int pipefd[2];
	ASSERT_EQ(pipe(pipefd), 0);
	pid_t child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		dup2(pipefd[1], 1);
		execl("/usr/bin/python3.11", "python3.11", "-c",
		      "import sys, time; print('up', flush=True); time.sleep(30)", nullptr);
		_exit(127);
	}
	close(pipefd[1]);
	char buf[8] = {};
	ASSERT_GT(read(pipefd[0], buf, sizeof(buf) - 1), 0);
	close(pipefd[0]);
	std::string err = error_of([&] { inspect_python(child, "/nonexistent"); });
	PythonProcess p;
	std::string ok = error_of([&] { p = inspect_python(child); });
	kill(child, SIGKILL);
	waitpid(child, nullptr, 0);
	EXPECT_NE(err.find("no debug information for /usr/bin/python3.11"), std::string::npos) << err;
	EXPECT_NE(err.find("apt-get install python3.11-dbg"), std::string::npos) << err;
	EXPECT_EQ(ok, "(no error)");
	EXPECT_EQ(p.version.major, 3);
	EXPECT_EQ(p.version.minor, 11);
	EXPECT_NE(p.runtime, 0u);
	// Debian's python3.11-dbg has every type and member the walk reads;
	// the bit-fields are in CPython 3.11's declared order.
	DwarfTypes types(p.debug_file);
	py_layout l{};
	EXPECT_EQ(error_of([&] { l = read_layout(types, p.runtime); }), "(no error)");
	EXPECT_EQ(l.kind_shift, 2u);
	EXPECT_EQ(l.compact_shift, 5u);
	EXPECT_EQ(l.ascii_shift, 6u);
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

TEST(Stacks, OutermostFirstPerThread)
{
	const py_sample &s = make_sample();
	std::vector<ThreadStack> st = stacks_of(s);
	ASSERT_EQ(st.size(), 2u);
	EXPECT_EQ(st[0].collapsed(), "T7;a.py:<module>;a.py:middle;a.py:leaf");
	EXPECT_EQ(st[1].collapsed(), "T9;t.py:run");
}

TEST(Stacks, UnreadNamesShowAsQuestionMarks)
{
	py_sample &s = make_sample();
	s.frames[1].name_kind = 0;
	EXPECT_EQ(stacks_of(s)[0].collapsed(), "T7;a.py:<module>;a.py:?;a.py:leaf");
}

TEST(Stacks, ProfileCountsCollapsedStacks)
{
	std::vector<ThreadStack> st = stacks_of(make_sample());
	Profile p;
	p.add(st);
	p.add(st);
	std::ostringstream out;
	p.write(out);
	EXPECT_EQ(out.str(), "T7;a.py:<module>;a.py:middle;a.py:leaf 2\nT9;t.py:run 2\n");
}

TEST(Expected, MatchesOnlyTheExactSetOfStacks)
{
	std::istringstream in("# comment\nT7;a.py:<module>;a.py:middle;a.py:leaf\nT9;t.py:run\n");
	Expected e = Expected::parse(in);
	EXPECT_EQ(e.size(), 2u);
	std::vector<ThreadStack> st = stacks_of(make_sample());
	EXPECT_TRUE(e.matches(st));
	st[0].frames.pop_back(); // a frame short
	EXPECT_FALSE(e.matches(st));
	st = stacks_of(make_sample());
	st.push_back({11, {"x.py:extra"}, 0, false}); // a thread too many
	EXPECT_FALSE(e.matches(st));
	st = stacks_of(make_sample());
	st[1].error = -14; // a failed read never matches
	EXPECT_FALSE(e.matches(st));
}

TEST(Expected, RefusesMalformedFiles)
{
	std::istringstream bad("a.py:main\n"), empty("# nothing\n");
	EXPECT_THROW(Expected::parse(bad), std::runtime_error);
	EXPECT_THROW(Expected::parse(empty), std::runtime_error);
}

TEST(Summary, ShowsCostsPerSampleAndRatios)
{
	WalkerStats a, b;
	a.name = "bpf";
	b.name = "pvm";
	const py_sample &s = make_sample();
	std::vector<ThreadStack> st = stacks_of(s);
	a.add(st, s, 1000, 1100, 1, nullptr);
	b.add(st, s, 4000, 4400, 342, nullptr);
	EXPECT_DOUBLE_EQ(a.mean_depth(), 2.0);
	EXPECT_EQ(a.max_depth, 3u);
	std::ostringstream out;
	write_summary(out, {a, b}, nullptr);
	EXPECT_NE(out.str().find("pvm/bpf per sample: CPU 4.00x, syscalls 342.0x, wall 4.00x"),
		  std::string::npos)
		<< out.str();
}

TEST(Summary, CountsErrorsAndNamesTheFirst)
{
	py_sample &s = make_sample();
	s.threads[1].error = -14;
	WalkerStats w;
	w.add(stacks_of(s), s, 1, 1, 1, nullptr);
	EXPECT_EQ(w.errors, 1u);
	EXPECT_NE(w.first_error.find("thread 9: a read failed: Bad address"), std::string::npos)
		<< w.first_error;
}

TEST(Options, WalkersAndDefaults)
{
	Options o = parse_options({"--pid", "42"});
	EXPECT_EQ(o.pid, 42);
	EXPECT_EQ(o.walkers, std::vector<std::string>{"bpf"});
	EXPECT_EQ(o.sample_count(), 500u);
	EXPECT_EQ(parse_walkers("both"), (std::vector<std::string>{"bpf", "pvm"}));
	EXPECT_EQ(parse_walkers("all"), (std::vector<std::string>{"bpf", "task", "pvm"}));
	EXPECT_EQ(parse_walkers("pvm,task"), (std::vector<std::string>{"pvm", "task"}));
	o = parse_options({"--pid", "1", "--samples", "7", "--rate", "50"});
	EXPECT_EQ(o.sample_count(), 7u);
}

TEST(Options, BadInputIsNamed)
{
	auto msg = [](std::vector<std::string> args) {
		return error_of([&] { parse_options(args); });
	};
	EXPECT_NE(msg({}).find("--pid is required"), std::string::npos);
	EXPECT_NE(msg({"--pid", "x"}).find("--pid wants a whole number"), std::string::npos);
	EXPECT_NE(msg({"--pid", "1", "--walker", "gdb"}).find("not 'gdb'"), std::string::npos);
	EXPECT_NE(msg({"--pid", "1", "--walker", "bpf,bpf"}).find("twice"), std::string::npos);
	EXPECT_NE(msg({"--pid", "1", "--rate", "0"}).find("--rate"), std::string::npos);
	EXPECT_NE(msg({"--pid", "1", "--frobnicate"}).find("unknown argument"), std::string::npos);
	EXPECT_NE(msg({"--pid", "1", "--out"}).find("--out wants a value"), std::string::npos);
}
