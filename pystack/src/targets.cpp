// SPDX-License-Identifier: GPL-2.0
#include "targets.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "dwarf_types.hpp"
#include "layout.hpp"
#include "layout_tables.hpp"
#include "proc_ns.hpp"
#include "remote_objects.hpp"
#include "strf.hpp"
#include "versions.hpp"

namespace pystack {
namespace {

constexpr std::uint64_t kMinChunk = 16 * 1024; // DATA_STACK_CHUNK_SIZE
constexpr int kThreadsChecked = 64;

std::string hex(std::uint64_t v)
{
	return cfur::strf("0x%llx", static_cast<unsigned long long>(v));
}

// tid as the target knows it (its own pid namespace's)
bool is_thread_of(TidMap &tids, std::uint64_t tid)
{
	auto here = tids.here(tid);
	struct stat st;
	std::string path =
		"/proc/" + std::to_string(tids.pid()) + "/task/" + std::to_string(here.value_or(0));
	return here && stat(path.c_str(), &st) == 0;
}

// The first frame of a thread with one (past entry frames on the C stack):
// its code object and co_name must have the types PyCode_Type and
// PyUnicode_Type.
std::string check_frame(PyObjects &obj, const PyOffsets &o, const PythonProcess &py, std::uint64_t frame)
{
	for (int i = 0; i < 8 && py.spec->cstack_owner && frame; i++) {
		std::uint8_t owner = 0;
		if (!obj.read(&owner, 1, frame + o.frame_owner))
			return "the current frame " + hex(frame) + " cannot be read";
		if (owner != py.spec->cstack_owner)
			break;
		frame = obj.word(frame + o.frame_previous).value_or(0);
	}
	if (!frame)
		return {};
	auto code = obj.word(frame + o.frame_code);
	if (!code)
		return "the current frame " + hex(frame) + " cannot be read";
	auto type = obj.word(*code + o.object_type);
	if (py.code_type && type != py.code_type)
		return cfur::strf("the current frame's f_code %s is not a code object (its type is %s, "
				  "PyCode_Type is %s)",
				  hex(*code).c_str(), hex(type.value_or(0)).c_str(),
				  hex(py.code_type).c_str());
	auto name = obj.word(*code + o.code_name);
	auto name_type = name ? obj.word(*name + o.object_type) : std::nullopt;
	if (py.unicode_type && name_type != py.unicode_type)
		return "the current frame's co_name is not a str";
	return {};
}

std::string check_thread(PyObjects &obj, const PyOffsets &o, const PythonProcess &py,
			 std::uint64_t tstate, std::uint64_t interp, bool *frame_checked)
{
	auto back = obj.word(tstate + o.tstate_interp);
	if (back != interp)
		return cfur::strf("PyThreadState %s's interp is %s, not the interpreter %s",
				  hex(tstate).c_str(), hex(back.value_or(0)).c_str(),
				  hex(interp).c_str());
	auto chunk = obj.word(tstate + o.tstate_chunk);
	auto top = obj.word(tstate + o.tstate_stack_top);
	if (chunk && *chunk) {
		auto size = obj.word(*chunk + o.chunk_size);
		if (!size || *size < kMinChunk || !top || *top < *chunk || *top > *chunk + *size)
			return cfur::strf("PyThreadState %s's data stack (chunk %s, top %s) is not one",
					  hex(tstate).c_str(), hex(*chunk).c_str(),
					  hex(top.value_or(0)).c_str());
	}
	std::optional<std::uint64_t> frame;
	if (PyOffsets::has(o.tstate_current_frame)) {
		frame = obj.word(tstate + o.tstate_current_frame);
	} else {
		auto cframe = obj.word(tstate + o.tstate_cframe);
		frame = cframe && *cframe ? obj.word(*cframe + o.cframe_current_frame) : std::nullopt;
	}
	if (!*frame_checked && frame && *frame) {
		*frame_checked = true;
		return check_frame(obj, o, py, *frame);
	}
	return {};
}

// The offsets in a debug file, read once however many targets it serves
// (each target's interpreter file is its own /proc/PID/map_files entry:
// the same build by its build-id).
PyOffsets dwarf_offsets(const std::string &file, const std::string &build_id, const VersionSpec &v)
{
	static std::map<std::string, PyOffsets> read;
	std::string key = build_id.empty() ? "file " + file : "build-id " + build_id;
	auto it = read.find(key);
	if (it == read.end()) {
		DwarfTypes types(file);
		it = read.emplace(key, read_offsets(types, v)).first;
	}
	return it->second;
}

const char *choice_name(LayoutChoice c)
{
	for (const auto &[name, choice] : layout_choices())
		if (choice == c)
			return name.c_str();
	return "auto";
}

// Where a target's layout can come from, in the order auto tries them.
struct Source {
	LayoutChoice kind;
	std::string name;    // what the layout is "from"
	std::string missing; // why this source is not there, or ""
};

std::vector<Source> sources(const PythonProcess &py)
{
	std::vector<Source> out;
	// DWARF in the interpreter itself: named as its maps name it, not by
	// the /proc/PID/map_files entry it is read through
	out.push_back(
		{LayoutChoice::dwarf,
		 "the DWARF of " + (py.debug_file == py.path ? py.binary : py.debug_file),
		 py.debug_file.empty()
			 ? cfur::strf("no debug information for %s (build-id %s): neither %s nor "
				      "DWARF in the file itself; put this interpreter's debug file there",
				      py.binary.c_str(),
				      py.build_id.empty() ? "none" : py.build_id.c_str(),
				      py.debug_file_wanted.empty() ? "a debug file by build-id"
								   : py.debug_file_wanted.c_str())
			 : ""});
	out.push_back({LayoutChoice::debug_offsets, "the _Py_DebugOffsets of its _PyRuntime",
		       py.spec->from_debug_offsets
			       ? ""
			       : cfur::strf("CPython %s has no _Py_DebugOffsets (3.13 and later do)",
					    py.spec->name)});
	auto table = layout_table(py.spec->minor);
	out.push_back({LayoutChoice::table,
		       cfur::strf("the CPython %s layout table (from %s)", py.spec->name,
				  table ? table->source.c_str() : ""),
		       table ? ""
			     : cfur::strf("pystack was built without a CPython %s layout table",
					  py.spec->name)});
	return out;
}

PyOffsets offsets_from(const Source &s, pid_t pid, const PythonProcess &py)
{
	switch (s.kind) {
	case LayoutChoice::dwarf:
		return dwarf_offsets(py.debug_file, py.build_id, *py.spec);
	case LayoutChoice::debug_offsets: {
		std::vector<std::uint8_t> bytes(py.spec->debug_offsets_size);
		auto mem = make_process_memory();
		if (mem->read(bytes.data(), bytes.size(), py.runtime, pid) != 0)
			throw std::runtime_error("_PyRuntime cannot be read");
		return py.spec->from_debug_offsets(bytes, py.version_hex, *py.spec);
	}
	default:
		return layout_table(py.spec->minor)->offsets;
	}
}

// The GIL's locked word is 0 or 1 (-1: not made yet, or gone), and its
// holder, if locked, a thread of an interpreter of this runtime (the main
// one's, or a subinterpreter's that shares its GIL): a layout that has
// them elsewhere fails here rather than naming a wrong holder.
std::string check_gil(PyObjects &obj, const PyOffsets &o, const PythonProcess &py, std::uint64_t interp)
{
	bool in_interp = PyOffsets::has(o.interp_gil_locked);
	std::uint64_t base = in_interp ? interp : py.runtime;
	auto locked = obj.word32(base + (in_interp ? o.interp_gil_locked : o.runtime_gil_locked));
	auto holder = obj.word(base + (in_interp ? o.interp_gil_holder : o.runtime_gil_holder));
	if (!locked || !holder || (*locked > 1 && *locked != 0xffffffffu))
		return cfur::strf("the GIL's locked word is %s, not 0 or 1",
				  locked ? std::to_string(*locked).c_str() : "unreadable");
	if (*locked != 1 || !*holder)
		return {};
	auto its_interp = obj.word(*holder + o.tstate_interp);
	if (!its_interp || !*its_interp)
		return cfur::strf("the GIL's holder %s is not a thread state", hex(*holder).c_str());
	if (*its_interp == interp || !PyOffsets::has(o.interp_runtime))
		return {};
	auto runtime = obj.word(*its_interp + o.interp_runtime);
	return runtime == py.runtime
		       ? ""
		       : cfur::strf("the GIL's holder %s is not a thread of this runtime",
				    hex(*holder).c_str());
}

} // namespace

std::string check_layout(Memory &mem, pid_t pid, const PyOffsets &o, const PythonProcess &py)
{
	PyObjects obj(mem, pid, o, *py.spec);
	auto interp = obj.word(py.runtime + o.runtime_interp_main);
	if (!interp)
		return "_PyRuntime cannot be read";
	if (!*interp)
		return "_PyRuntime.interpreters.main is NULL (the interpreter is not running)";
	auto runtime = PyOffsets::has(o.interp_runtime) ? obj.word(*interp + o.interp_runtime)
							: std::optional(py.runtime);
	if (runtime != py.runtime)
		return cfur::strf("the main interpreter %s's runtime is %s, not _PyRuntime %s",
				  hex(*interp).c_str(), hex(runtime.value_or(0)).c_str(),
				  hex(py.runtime).c_str());
	auto main_thread = PyOffsets::has(o.runtime_main_thread)
				   ? obj.word(py.runtime + o.runtime_main_thread)
				   : std::nullopt;
	auto tstate = obj.word(*interp + o.interp_threads_head);
	bool frame_checked = false, own_thread = false;
	TidMap tids(pid); // CPython records its threads' ids in its own pid namespace
	for (int i = 0; i < kThreadsChecked && tstate && *tstate; i++) {
		std::string why = check_thread(obj, o, py, *tstate, *interp, &frame_checked);
		if (!why.empty())
			return why;
		auto tid = obj.word(*tstate + o.tstate_native_tid);
		auto ident = obj.word(*tstate + o.tstate_thread_id);
		own_thread = own_thread || (tid && is_thread_of(tids, *tid));
		if (main_thread && ident == main_thread && tid &&
		    *tid != static_cast<std::uint64_t>(tids.own_pid()) &&
		    is_thread_of(tids, static_cast<std::uint64_t>(tids.own_pid())))
			return cfur::strf(
				"the main thread's PyThreadState says its native id is %llu, "
				"not the pid %d%s",
				static_cast<unsigned long long>(*tid), tids.own_pid(),
				tids.own_namespace()
					? cfur::strf(" (%d here) in its pid namespace", pid).c_str()
					: "");
		tstate = obj.word(*tstate + o.tstate_next);
	}
	if (!own_thread && tstate)
		return "no PyThreadState's native_thread_id is a thread of the process";
	return check_gil(obj, o, py, *interp);
}

TargetInfo open_target(pid_t pid, LayoutChoice choice, const std::string &debug_root)
{
	TargetInfo t;
	t.py = inspect_python(pid, debug_root);
	std::string tried;
	const Source *used = nullptr;
	for (const Source &s : sources(t.py)) {
		if (choice != LayoutChoice::automatic && choice != s.kind)
			continue;
		if (!s.missing.empty()) {
			if (choice != LayoutChoice::automatic)
				throw std::runtime_error(
					cfur::strf("--layout %s: %s; leave out --layout to "
						   "use what this interpreter has",
						   choice_name(choice), s.missing.c_str()));
			continue;
		}
		try {
			t.offsets = offsets_from(s, pid, t.py);
		} catch (const std::runtime_error &e) {
			// DWARF without CPython's types (a -g1 build): the next
			if (choice != LayoutChoice::automatic)
				throw;
			tried += cfur::strf(" (%s: %s)", s.name.c_str(), e.what());
			continue;
		}
		used = &s;
		t.layout_source = s.name + tried;
		break;
	}
	if (!used)
		throw std::runtime_error(
			cfur::strf("no layout for CPython %s in pid %d (%s):%s no debug file (looked for %s), and "
				   "pystack has no table for it; install its debug file",
				   t.py.version.str().c_str(), pid, t.py.binary.c_str(), tried.c_str(),
				   t.py.debug_file_wanted.empty() ? "one by build-id"
								  : t.py.debug_file_wanted.c_str()));
	auto mem = make_process_memory();
	std::string why = check_layout(*mem, pid, t.offsets, t.py);
	if (!why.empty()) {
		if (used->kind != LayoutChoice::table)
			throw std::runtime_error(cfur::strf(
				"%s does not describe the interpreter running in pid %d (%s): %s. Is it "
				"the debug information of this very build?",
				t.layout_source.c_str(), pid, t.py.binary.c_str(), why.c_str()));
		throw std::runtime_error(cfur::strf(
			"%s does not fit the interpreter running in pid %d (%s, CPython %s): %s. A debug "
			"or patched build has a layout of its own: put its debug file at %s (or leave "
			"its DWARF in the file) and pystack reads the layout from it",
			t.layout_source.c_str(), pid, t.py.binary.c_str(),
			t.py.version.str().c_str(), why.c_str(),
			t.py.debug_file_wanted.empty() ? "/usr/lib/debug/.build-id/..."
						       : t.py.debug_file_wanted.c_str()));
	}
	t.layout = make_walk_layout(t.offsets, *t.py.spec, t.py.runtime, t.py.code_type);
	return t;
}

std::vector<pid_t> descendants_of(pid_t pid)
{
	std::multimap<pid_t, pid_t> children;
	if (DIR *d = opendir("/proc")) {
		while (dirent *e = readdir(d)) {
			pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
			if (p <= 0)
				continue;
			std::ifstream f("/proc/" + std::string(e->d_name) + "/stat");
			std::string line;
			if (!std::getline(f, line))
				continue;
			std::size_t paren = line.rfind(')');
			int ppid = 0;
			if (paren != std::string::npos &&
			    std::sscanf(line.c_str() + paren + 1, " %*c %d", &ppid) == 1)
				children.emplace(ppid, p);
		}
		closedir(d);
	}
	std::vector<pid_t> out;
	std::vector<pid_t> todo = {pid};
	std::set<pid_t> seen = {pid};
	while (!todo.empty()) {
		pid_t p = todo.back();
		todo.pop_back();
		auto [a, b] = children.equal_range(p);
		for (auto it = a; it != b; ++it)
			if (seen.insert(it->second).second) {
				out.push_back(it->second);
				todo.push_back(it->second);
			}
	}
	return out;
}

} // namespace pystack
