// SPDX-License-Identifier: GPL-2.0
// Each CPython version's layout sources against the DWARF of a build of
// it (pyenv's 3.11.7, 3.12.1, 3.13.0 where this machine has them): the
// 3.12 table, 3.13's _Py_DebugOffsets and the constants beside them; live
// interpreters of each version, stripped copies included; the versions
// and builds pystack refuses, each with why.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include "dwarf_types.hpp"
#include "elf_file.hpp"
#include "fake_python.hpp"
#include "layout.hpp"
#include "layout_tables.hpp"
#include "python_process.hpp"
#include "remote_objects.hpp"
#include "targets.hpp"
#include "test_util.hpp"
#include "thread_names.hpp"
#include "versions.hpp"

#ifndef FAKE_PYTHON_313T
#error "build with -DFAKE_PYTHON_313T=... and -DFAKE_PYTHON_314=... (fake_interpreter.c)"
#endif

using namespace pystack;
using pystack::test::Child;
using pystack::test::error_of;

namespace {

const char kPyenv[] = "/root/.pyenv/versions";

struct Pyenv {
	const char *version, *minor;
	std::string lib() const
	{
		return std::string(kPyenv) + "/" + version + "/lib/libpython3." + minor + ".so.1.0";
	}
	std::string python() const
	{
		return std::string(kPyenv) + "/" + version + "/bin/python3." + minor;
	}
	bool here() const
	{
		return access(lib().c_str(), R_OK) == 0 && access(python().c_str(), X_OK) == 0;
	}
};

const Pyenv kPy312{"3.12.1", "12"}, kPy313{"3.13.0", "13"};

const char kWait[] = "import sys, time, threading\n"
		     "threading.Thread(target=time.sleep, args=(60,), name='helper-7').start()\n"
		     "print('up', flush=True)\n"
		     "time.sleep(60)\n";

// _Py_DebugOffsets as the file image of lib holds them.
std::vector<std::uint8_t> debug_offsets_of(const std::string &lib, const VersionSpec &v)
{
	ElfFile elf(lib);
	auto at = elf.symbol("_PyRuntime");
	auto bytes = at ? elf.read(*at, v.debug_offsets_size) : std::nullopt;
	return bytes.value_or(std::vector<std::uint8_t>{});
}

std::uint32_t py_version_of(const std::string &lib)
{
	ElfFile elf(lib);
	auto bytes = elf.read(*elf.symbol("Py_Version"), 4);
	std::uint32_t v;
	std::memcpy(&v, bytes->data(), 4);
	return v;
}

// A copy of pyenv's libpython without DWARF, build-id or debug link, in a
// directory of its own (the interpreter finds it by LD_LIBRARY_PATH).
class StrippedLib {
public:
	explicit StrippedLib(const Pyenv &p)
	{
		dir_ = std::filesystem::temp_directory_path() /
		       ("pystack-strip-" + std::string(p.minor) + "-" + std::to_string(getpid()));
		std::filesystem::create_directories(dir_);
		std::string cmd = "objcopy --strip-debug --remove-section .note.gnu.build-id "
				  "--remove-section .gnu_debuglink " +
				  p.lib() + " " + dir_ + "/libpython3." + p.minor + ".so.1.0";
		ok_ = std::system(cmd.c_str()) == 0;
	}
	~StrippedLib() { std::filesystem::remove_all(dir_); }
	bool ok() const { return ok_; }
	// argv for /usr/bin/env: the interpreter with this copy
	std::vector<std::string> args(const Pyenv &p) const
	{
		return {"LD_LIBRARY_PATH=" + dir_, p.python(), "-c", kWait};
	}

private:
	std::string dir_;
	bool ok_ = false;
};

// Python's names of the threads of pid, as pystack reads them.
std::set<std::string> thread_names(const TargetInfo &t)
{
	ThreadNames names(make_process_memory());
	names.add_process(t.py.pid, t.py.runtime, t.offsets, *t.py.spec);
	std::set<std::string> got;
	for (const auto &[id, name] : names.read_python_names(t.py.pid))
		got.insert(name);
	return got;
}

} // namespace

TEST(Versions, EachHasItsSpecAndTheRestAreNamed)
{
	EXPECT_EQ(find_version(3, 11), &py311());
	EXPECT_EQ(find_version(3, 12), &py312());
	EXPECT_EQ(find_version(3, 13), &py313());
	EXPECT_EQ(find_version(3, 10), nullptr);
	EXPECT_EQ(find_version(3, 14), nullptr);
	EXPECT_EQ(find_version(2, 11), nullptr);
	EXPECT_EQ(supported_versions(), "3.11, 3.12 and 3.13");
}

TEST(Versions, OlderNewerDebugAndFreeThreadedBuildsAreRefusedWithWhy)
{
	Child py310(FAKE_PYTHON_310, {});
	Child py314(FAKE_PYTHON_314, {});
	Child py313t(FAKE_PYTHON_313T, {});
	ASSERT_TRUE(py310.ready() && py314.ready() && py313t.ready());
	EXPECT_NE(error_of([&] { inspect_python(py310.pid()); })
			  .find("runs CPython 3.10.0 (" FAKE_PYTHON_310 "); pystack supports CPython 3.11, "
				"3.12 and 3.13"),
		  std::string::npos);
	EXPECT_NE(error_of([&] { inspect_python(py314.pid()); })
			  .find("runs CPython 3.14.0 (" FAKE_PYTHON_314 "); pystack supports CPython 3.11, "
				"3.12 and 3.13"),
		  std::string::npos);
	std::string err = error_of([&] { inspect_python(py313t.pid()); });
	EXPECT_NE(err.find("runs a free-threaded build of CPython 3.13.0"), std::string::npos) << err;
	if (access("/usr/bin/python3.11d", X_OK) == 0) {
		Child debug("/usr/bin/python3.11d", test::python_args(kWait));
		ASSERT_TRUE(debug.ready());
		err = error_of([&] { inspect_python(debug.pid()); });
		EXPECT_NE(err.find("runs a debug build of CPython 3.11"), std::string::npos) << err;
		EXPECT_NE(err.find("Py_DEBUG"), std::string::npos) << err;
	}
	const std::string real310 = std::string(kPyenv) + "/3.10.13/bin/python3.10";
	if (access(real310.c_str(), X_OK) == 0) {
		Child py(real310, test::python_args(kWait));
		ASSERT_TRUE(py.ready());
		err = error_of([&] { inspect_python(py.pid()); });
		EXPECT_NE(err.find("a CPython older than 3.11 (it has no Py_Version); pystack supports "
				   "CPython 3.11, 3.12 and 3.13"),
			  std::string::npos)
			<< err;
	}
}

TEST(Versions, The312TableEqualsTheDwarfItWasMadeFrom)
{
	if (!kPy312.here())
		GTEST_SKIP() << kPy312.lib() << " is not here (pyenv's CPython 3.12.1)";
	auto table = layout_table(12);
	ASSERT_TRUE(table) << "pystack was built without its 3.12 table";
	DwarfTypes types(kPy312.lib());
	EXPECT_EQ(describe(table->offsets), describe(read_offsets(types, py312()))) << table->source;
}

TEST(Versions, The313DebugOffsetsAndConstantsEqualWhatTheDwarfSays)
{
	if (!kPy313.here())
		GTEST_SKIP() << kPy313.lib() << " is not here (pyenv's CPython 3.13.0)";
	auto bytes = debug_offsets_of(kPy313.lib(), py313());
	ASSERT_EQ(bytes.size(), py313().debug_offsets_size);
	PyOffsets from_debug = py313().from_debug_offsets(bytes, py_version_of(kPy313.lib()), py313());
	DwarfTypes types(kPy313.lib());
	PyOffsets dwarf = read_offsets(types, py313());
	int given = 0;
#define PY_COMPARE(field, kind, type, member)                       \
	if (PyOffsets::has(from_debug.field)) {                     \
		given++;                                            \
		EXPECT_EQ(from_debug.field, dwarf.field) << #field; \
	}
	PY_OFFSETS(PY_COMPARE)
#undef PY_COMPARE
	EXPECT_GE(given, 50);
	// what the walk needs is all there
	EXPECT_EQ(error_of([&] { make_walk_layout(from_debug, py313(), 0x1000, 0x2000); }),
		  "(no error)");
	EXPECT_FALSE(py313().free_threaded(bytes));
}

TEST(Versions, DebugOffsetsThatDoNotHoldAreRefused)
{
	if (!kPy313.here())
		GTEST_SKIP() << kPy313.lib() << " is not here (pyenv's CPython 3.13.0)";
	auto good = debug_offsets_of(kPy313.lib(), py313());
	std::uint32_t version = py_version_of(kPy313.lib());
	auto bad = good;
	bad[0] = 'y';
	EXPECT_NE(error_of([&] { py313().from_debug_offsets(bad, version, py313()); }).find("cookie"),
		  std::string::npos);
	EXPECT_NE(error_of([&] {
			  py313().from_debug_offsets(good, 0x030c01f0, py313());
		  }).find("_Py_DebugOffsets are of version 0x30d00f0"),
		  std::string::npos);
	bad = good;
	// thread_state.size (the 17th word) too small for its fields
	std::uint64_t tiny = 8;
	std::memcpy(bad.data() + 8 * (3 + 3 + 13), &tiny, sizeof(tiny));
	EXPECT_NE(error_of([&] {
			  py313().from_debug_offsets(bad, version, py313());
		  }).find("in a struct of 8 bytes"),
		  std::string::npos);
	EXPECT_NE(error_of([&] {
			  py313().from_debug_offsets(std::span(good).first(40), version, py313());
		  }).find("cut short"),
		  std::string::npos);
}

TEST(Versions, EachPyenvInterpreterOpensWithItsDwarfThenStrippedWithoutIt)
{
	struct Case {
		Pyenv py;
		const char *stripped_source;
	};
	for (const Case &c : {Case{kPy312, "the CPython 3.12 layout table"},
			      Case{kPy313, "the _Py_DebugOffsets of its _PyRuntime"}}) {
		SCOPED_TRACE(c.py.version);
		if (!c.py.here()) {
			std::cout << "skipped: " << c.py.python() << " is not here\n";
			continue;
		}
		Child py(c.py.python(), test::python_args(kWait));
		ASSERT_TRUE(py.ready());
		TargetInfo t = open_target(py.pid(), LayoutChoice::automatic, "/usr/lib/debug");
		EXPECT_EQ(t.layout_source, "the DWARF of " + c.py.lib());
		EXPECT_EQ(t.py.spec->name, std::string("3.") + c.py.minor);
		EXPECT_EQ(thread_names(t), (std::set<std::string>{"MainThread", "helper-7"}));

		StrippedLib lib(c.py);
		ASSERT_TRUE(lib.ok()) << "objcopy failed";
		Child stripped("/usr/bin/env", lib.args(c.py));
		ASSERT_TRUE(stripped.ready());
		TargetInfo s = open_target(stripped.pid(), LayoutChoice::automatic, "/usr/lib/debug");
		EXPECT_EQ(s.layout_source.rfind(c.stripped_source, 0), 0u) << s.layout_source;
		EXPECT_TRUE(s.py.build_id.empty());
		EXPECT_EQ(thread_names(s), (std::set<std::string>{"MainThread", "helper-7"}));
		EXPECT_NE(error_of([&] {
				  open_target(stripped.pid(), LayoutChoice::dwarf, "/usr/lib/debug");
			  }).find("--layout dwarf: no debug information for"),
			  std::string::npos);
	}
}

TEST(Versions, DebugOffsetsAreRefusedWhereTheVersionHasNone)
{
	if (!kPy312.here())
		GTEST_SKIP() << kPy312.python() << " is not here";
	Child py(kPy312.python(), test::python_args(kWait));
	ASSERT_TRUE(py.ready());
	EXPECT_NE(error_of([&] {
			  open_target(py.pid(), LayoutChoice::debug_offsets, "/usr/lib/debug");
		  }).find("--layout debug-offsets: CPython 3.12 has no _Py_DebugOffsets"),
		  std::string::npos);
}

// A target that forges threading._active-like dicts: 65536 entries whose
// keys are all the same str costs a lookup its read budget, no more
// (about 200000 reads without one).
TEST(RemoteObjects, AForgedDictCostsAtMostTheReadBudget)
{
	PyOffsets o = test::table311();
	test::FakeMemory mem;
	test::FakePython py(mem, o);
	const std::uint64_t n = 1 << 16;
	std::uint64_t key = py.str("x");
	std::uint64_t keys = mem.alloc(o.keys_indices + 1 + n * o.unicode_entry_size);
	mem.put64(keys + o.keys_nentries, n);
	std::uint8_t kind = 1; // DICT_KEYS_UNICODE
	mem.put(keys + o.keys_kind, &kind, 1);
	std::uint64_t entries = keys + o.keys_indices + 1;
	for (std::uint64_t i = 0; i < n; i++) {
		mem.put64(entries + i * o.unicode_entry_size + o.unicode_entry_key, key);
		mem.put64(entries + i * o.unicode_entry_size + o.unicode_entry_value, key);
	}
	std::uint64_t dict = mem.alloc(64);
	mem.put64(dict + o.dict_keys, keys);
	PyObjects obj(mem, 1, o, py311());
	EXPECT_EQ(obj.get(dict, "y"), std::nullopt);
	EXPECT_LE(mem.calls(), (1u << 16) + 16);
	EXPECT_GT(mem.calls(), 1u << 15);
}
