// SPDX-License-Identifier: GPL-2.0
// Targets as they come: what /proc says of a thread's ids across pid
// namespaces (NSpid), of a deleted file (" (deleted)") and where a mapping's
// file is reached (map_files); an interpreter in a pid namespace of its own
// and a deleted one opened and checked; --children waiting for a Python
// that is not there yet.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <sstream>

#include "options.hpp"
#include "proc_ns.hpp"
#include "python_process.hpp"
#include "target_set.hpp"
#include "targets.hpp"
#include "test_util.hpp"
#include "thread_names.hpp"

using namespace pystack;
using pystack::test::Child;
using pystack::test::error_of;

namespace {

const char kPython[] = "/usr/bin/python3.11";
const char kWait[] = "import time\nprint('up', flush=True)\ntime.sleep(60)\n";

std::vector<pid_t> nspid_of(const std::string &text)
{
	std::istringstream in(text);
	return parse_nspid(in);
}

} // namespace

TEST(Nspid, OutermostFirstTheThreadsOwnLast)
{
	// fs/proc/array.c: from the /proc mount's namespace down to the thread's
	EXPECT_EQ(nspid_of("Name:\tpython3.11\nTgid:\t4242\nNSpid:\t4242\t17\t1\nNSpgid:\t4240\t1\t1\n"),
		  (std::vector<pid_t>{4242, 17, 1}));
	EXPECT_EQ(nspid_of("NStgid:\t900\nNSpid:\t901\n"), (std::vector<pid_t>{901}));
	// a kernel before 4.1 has no such line
	EXPECT_TRUE(nspid_of("Name:\tx\nPid:\t5\n").empty());
}

TEST(MappedPath, DeletedIsTakenOffThePath)
{
	bool deleted = false;
	EXPECT_EQ(mapped_path("/usr/bin/python3.11 (deleted)", &deleted), "/usr/bin/python3.11");
	EXPECT_TRUE(deleted);
	EXPECT_EQ(mapped_path("/usr/bin/python3.11", &deleted), "/usr/bin/python3.11");
	EXPECT_FALSE(deleted);
	// only at the end, where d_path() puts it
	EXPECT_EQ(mapped_path("/opt/a (deleted)/python3.11", &deleted), "/opt/a (deleted)/python3.11");
	EXPECT_FALSE(deleted);
	EXPECT_EQ(mapped_path(" (deleted)", &deleted), " (deleted)");
	EXPECT_FALSE(deleted);
}

TEST(MapFiles, NamedByTheMappingsBoundsInHex)
{
	EXPECT_EQ(map_files_name(0x400000, 0x41f000), "400000-41f000");
	EXPECT_EQ(map_files_name(0x7f8b80154000ULL, 0x7f8b80162000ULL), "7f8b80154000-7f8b80162000");
}

TEST(TidMap, InOwnNamespaceIdsAreTheSame)
{
	ASSERT_EQ(proc_mismatch(), "");
	TidMap self(getpid());
	EXPECT_FALSE(self.own_namespace());
	EXPECT_EQ(self.own_pid(), getpid());
	EXPECT_EQ(self.here(12345), 12345);
	EXPECT_EQ(tid_here(getpid(), 777), 777u);
}

// A deleted interpreter: its maps say " (deleted)"; it is opened through
// /proc/PID/map_files and walked.
TEST(Inspect, ADeletedInterpreterIsOpenedThroughMapFiles)
{
	std::string dir = std::filesystem::temp_directory_path() /
			  ("pystack-del-" + std::to_string(getpid()));
	std::filesystem::create_directories(dir);
	std::string copy = dir + "/python3.11";
	std::filesystem::copy_file(kPython, copy, std::filesystem::copy_options::overwrite_existing);
	Child py(copy, pystack::test::python_args(kWait));
	ASSERT_TRUE(py.ready());
	std::filesystem::remove_all(dir);
	TargetInfo t = open_target(py.pid(), LayoutChoice::automatic, "/usr/lib/debug");
	EXPECT_TRUE(t.py.deleted);
	EXPECT_EQ(t.py.binary, copy + " (deleted)");
	EXPECT_NE(t.py.path.find("/proc/" + std::to_string(py.pid()) + "/map_files/"), std::string::npos)
		<< t.py.path;
	EXPECT_EQ(t.py.own_pid, py.pid());
}

// A Python in a pid namespace of its own (unshare --pid, as root): its
// main thread is 1 there; pystack checks it as such and labels it with
// the id here beside.
TEST(Inspect, APidNamespaceOfItsOwn)
{
	if (geteuid() != 0 || access("/usr/bin/unshare", X_OK) != 0)
		GTEST_SKIP() << "needs root and unshare(1)";
	Child ns("/usr/bin/unshare", {"--pid", "--fork", "--kill-child", kPython, "-c", kWait});
	ASSERT_TRUE(ns.ready());
	std::vector<pid_t> below = descendants_of(ns.pid());
	ASSERT_EQ(below.size(), 1u);
	pid_t host = below[0];
	TidMap tids(host);
	EXPECT_TRUE(tids.own_namespace());
	EXPECT_EQ(tids.own_pid(), 1);
	EXPECT_EQ(tids.here(1), host);
	EXPECT_EQ(tids.here(4000000), std::nullopt);
	EXPECT_EQ(tid_here(host, 1), static_cast<std::uint64_t>(host));
	forget_tids(host);

	TargetInfo t = open_target(host, LayoutChoice::automatic, "/usr/lib/debug");
	EXPECT_EQ(t.py.own_pid, 1);
	ThreadNames names(make_process_memory());
	names.add_process(host, t.py.runtime, t.offsets, *t.py.spec);
	py_thread th{};
	th.native_tid = 1;
	std::strcpy(th.comm, "init"); // what a BPF walk finds as pid 1 of the initial namespace
	std::string label = names.label(host, th);
	EXPECT_EQ(label.rfind("T" + std::to_string(host) + " (1 in its pid ns) [python3.11]", 0), 0u)
		<< label;
}

// --children with no Python yet: looked for until the pids exit, or the
// run's time is over, then said so.
TEST(Children, NoPythonYetIsWaitedForThenToldWhy)
{
	ThreadNames names(make_process_memory());
	Options o;
	o.children = true;
	std::ostringstream log;
	{
		Child sh("/bin/sh", {"-c", "echo up; sleep 0.3"});
		ASSERT_TRUE(sh.ready());
		o.pids = {sh.pid()};
		TargetSet targets(o, names);
		std::string why = error_of([&] { targets.wait_for_first(-1, log); });
		EXPECT_NE(why.find("every pid given had exited"), std::string::npos) << why;
		EXPECT_NE(why.find("ran below pid " + std::to_string(sh.pid())), std::string::npos)
			<< why;
	}
	Child sh("/bin/sh", {"-c", "echo up; sleep 30"});
	ASSERT_TRUE(sh.ready());
	o.pids = {sh.pid()};
	TargetSet targets(o, names);
	std::string why = error_of([&] { targets.wait_for_first(0.2, log); });
	EXPECT_NE(why.find("the run's --duration was over"), std::string::npos) << why;
	EXPECT_NE(log.str().find("looking for one for up to 0.2 s"), std::string::npos) << log.str();
}
