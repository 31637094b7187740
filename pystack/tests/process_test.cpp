// SPDX-License-Identifier: GPL-2.0
// Finding the interpreter in a live process and the layout to walk it
// with: the errors a user meets, the layout table against the DWARF it was
// made from, the table on an interpreter without debug information, the
// check against the live process, and Python's thread names.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "dwarf_types.hpp"
#include "elf_file.hpp"
#include "fake_python.hpp"
#include "layout.hpp"
#include "layout_tables.hpp"
#include "python_process.hpp"
#include "targets.hpp"
#include "test_util.hpp"
#include "thread_names.hpp"

#ifndef FAKE_PYTHON_311
#error "build with -DFAKE_PYTHON_311=... and -DFAKE_PYTHON_310=... (fake_interpreter.c)"
#endif

using namespace pystack;
using pystack::test::Child;
using pystack::test::error_of;

namespace {

const char kPython[] = "/usr/bin/python3.11";
const char kPyenvLib[] = "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0";
const char kWait[] = "import sys, time, threading\n"
		     "threading.Thread(target=time.sleep, args=(60,), name='helper-7').start()\n"
		     "print('up', flush=True)\n"
		     "time.sleep(60)\n";

std::string debian_debug_file()
{
	return debug_file_path("/usr/lib/debug", ElfFile(kPython).build_id());
}

// A copy of Debian's python3.11 without its build-id and debug link: no
// debug file can be found for it. "" if objcopy failed.
std::string stripped_python()
{
	std::string dir = std::filesystem::temp_directory_path() /
			  ("pystack-test-" + std::to_string(getpid()));
	std::filesystem::create_directories(dir);
	std::string copy = dir + "/python3.11";
	std::string cmd =
		"objcopy --remove-section .note.gnu.build-id --remove-section .gnu_debuglink " +
		std::string(kPython) + " " + copy;
	return std::system(cmd.c_str()) == 0 ? copy : "";
}

} // namespace

TEST(Inspect, NamesWhatIsWrongWithThePid)
{
	EXPECT_NE(error_of([] { inspect_python(999999999); }).find("no process with pid 999999999"),
		  std::string::npos);
	EXPECT_NE(error_of([] { inspect_python(getpid()); }).find("is not a CPython process"),
		  std::string::npos);
	Child py310(FAKE_PYTHON_310, {});
	ASSERT_TRUE(py310.ready());
	EXPECT_NE(error_of([&] { inspect_python(py310.pid()); })
			  .find("runs CPython 3.10.0 (" FAKE_PYTHON_310
				"); pystack supports CPython 3.11, 3.12 and 3.13"),
		  std::string::npos);
}

TEST(LayoutTable, EqualsTheDwarfItWasMadeFrom)
{
	DwarfTypes types(debian_debug_file());
	EXPECT_EQ(describe(test::table311()), describe(read_offsets(types, py311())))
		<< "source: " << layout_table(11)->source;
}

TEST(LayoutTable, EqualsThe3117DwarfOfPyenvWhereThatIsInstalled)
{
	if (access(kPyenvLib, R_OK) != 0)
		GTEST_SKIP() << kPyenvLib << " is not here (pyenv's CPython 3.11.7)";
	DwarfTypes types(kPyenvLib);
	EXPECT_EQ(describe(test::table311()), describe(read_offsets(types, py311())));
}

TEST(LayoutTable, WalksAnInterpreterWithoutDebugInformation)
{
	std::string copy = stripped_python();
	ASSERT_FALSE(copy.empty()) << "objcopy failed";
	Child py(copy, test::python_args(kWait));
	ASSERT_TRUE(py.ready());
	TargetInfo t;
	EXPECT_EQ(error_of([&] {
			  t = open_target(py.pid(), LayoutChoice::automatic, "/usr/lib/debug");
		  }),
		  "(no error)");
	EXPECT_TRUE(t.py.build_id.empty());
	EXPECT_NE(t.layout_source.find("layout table"), std::string::npos) << t.layout_source;
	EXPECT_NE(error_of([&] {
			  open_target(py.pid(), LayoutChoice::dwarf, "/usr/lib/debug");
		  }).find("--layout dwarf: no debug information for " + copy),
		  std::string::npos);
	std::filesystem::remove_all(std::filesystem::path(copy).parent_path());
}

TEST(LayoutTable, DebiansInterpreterUsesItsDebugFile)
{
	Child py(kPython, test::python_args(kWait));
	ASSERT_TRUE(py.ready());
	TargetInfo t = open_target(py.pid(), LayoutChoice::automatic, "/usr/lib/debug");
	EXPECT_EQ(t.layout_source, "the DWARF of " + debian_debug_file());
	EXPECT_EQ(t.py.version.major, 3);
	EXPECT_EQ(t.py.version.minor, 11);
	EXPECT_NE(t.py.code_type, 0u);
	t = open_target(py.pid(), LayoutChoice::table, "/usr/lib/debug");
	EXPECT_NE(t.layout_source.find("layout table"), std::string::npos);
}

TEST(LayoutTable, AnInterpreterItDoesNotFitIsRefusedWithWhy)
{
	Child fake(FAKE_PYTHON_311, {});
	ASSERT_TRUE(fake.ready());
	std::string err =
		error_of([&] { open_target(fake.pid(), LayoutChoice::automatic, "/nonexistent"); });
	EXPECT_NE(err.find("the CPython 3.11 layout table"), std::string::npos) << err;
	EXPECT_NE(err.find("does not fit the interpreter running in pid " + std::to_string(fake.pid())),
		  std::string::npos)
		<< err;
	EXPECT_NE(err.find("'s runtime is 0x0, not _PyRuntime"), std::string::npos) << err;
	EXPECT_NE(err.find("debug or patched build"), std::string::npos) << err;
}

TEST(CheckLayout, EachLinkMustPointBack)
{
	PyOffsets o = test::table311();
	test::FakeMemory mem;
	test::FakePython fake(mem, o);
	std::uint64_t code = fake.code("f", "a.py", 1);
	std::uint64_t ts = fake.thread(static_cast<std::uint64_t>(getpid()), {{code, 1}});
	PythonProcess py;
	py.runtime = fake.runtime;
	py.code_type = fake.code_type;
	py.spec = &py311();
	EXPECT_EQ(check_layout(mem, getpid(), o, py), "");
	mem.put64(ts + o.tstate_interp, 0x5000);
	EXPECT_NE(check_layout(mem, getpid(), o, py).find("'s interp is 0x5000, not the interpreter"),
		  std::string::npos);
	mem.put64(ts + o.tstate_interp, fake.interp);
	mem.put64(code + o.object_type, 0x6000);
	EXPECT_NE(check_layout(mem, getpid(), o, py).find("is not a code object"), std::string::npos);
	mem.put64(code + o.object_type, fake.code_type);
	mem.put64(ts + o.tstate_native_tid, 999999999);
	EXPECT_NE(check_layout(mem, getpid(), o, py).find("no PyThreadState's native_thread_id"),
		  std::string::npos);
	mem.put64(fake.interp + o.interp_runtime, 0);
	EXPECT_NE(check_layout(mem, getpid(), o, py).find("'s runtime is 0x0"), std::string::npos);
}

TEST(ThreadNames, ComeFromThreadingActive)
{
	Child py(kPython, test::python_args(kWait));
	ASSERT_TRUE(py.ready());
	TargetInfo t = open_target(py.pid(), LayoutChoice::table, "/usr/lib/debug");
	ThreadNames names(make_process_memory());
	names.add_process(py.pid(), t.py.runtime, t.offsets, *t.py.spec);
	std::map<std::uint64_t, std::string> found = names.read_python_names(py.pid());
	std::set<std::string> got;
	for (const auto &[id, name] : found)
		got.insert(name);
	EXPECT_EQ(got, (std::set<std::string>{"MainThread", "helper-7"}));
	py_thread main{};
	main.native_tid = static_cast<__u64>(py.pid());
	main.thread_id = 0;
	for (const auto &[id, name] : found)
		if (name == "MainThread")
			main.thread_id = id;
	EXPECT_EQ(names.label(py.pid(), main),
		  "T" + std::to_string(py.pid()) + " [python3.11] MainThread");
}
