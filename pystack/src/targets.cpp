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
#include "py311_offsets.h"
#include "remote_objects.hpp"
#include "strf.hpp"

namespace pystack {
namespace {

constexpr std::uint64_t kMinChunk = 16 * 1024;	// DATA_STACK_CHUNK_SIZE
constexpr int kThreadsChecked = 64;

std::string hex(std::uint64_t v) { return cfur::strf("0x%llx", static_cast<unsigned long long>(v)); }

bool is_thread_of(pid_t pid, std::uint64_t tid)
{
	struct stat st;
	std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid);
	return stat(path.c_str(), &st) == 0;
}

// The first frame of a thread with one: its code object and co_name must
// have the types PyCode_Type and PyUnicode_Type.
std::string check_frame(PyObjects &obj, const PyOffsets &o, const PythonProcess &py,
			std::uint64_t frame)
{
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
				  hex(tstate).c_str(), hex(back.value_or(0)).c_str(), hex(interp).c_str());
	auto chunk = obj.word(tstate + o.tstate_chunk);
	auto top = obj.word(tstate + o.tstate_stack_top);
	if (chunk && *chunk) {
		auto size = obj.word(*chunk + o.chunk_size);
		if (!size || *size < kMinChunk || !top || *top < *chunk || *top > *chunk + *size)
			return cfur::strf("PyThreadState %s's data stack (chunk %s, top %s) is not one",
					  hex(tstate).c_str(), hex(*chunk).c_str(), hex(top.value_or(0)).c_str());
	}
	auto cframe = obj.word(tstate + o.tstate_cframe);
	auto frame = cframe && *cframe ? obj.word(*cframe + o.cframe_current_frame) : std::nullopt;
	if (!*frame_checked && frame && *frame) {
		*frame_checked = true;
		return check_frame(obj, o, py, *frame);
	}
	return {};
}

// The offsets in a debug file, read once however many targets it serves.
PyOffsets dwarf_offsets(const std::string &file)
{
	static std::map<std::string, PyOffsets> read;
	auto it = read.find(file);
	if (it == read.end()) {
		DwarfTypes types(file);
		it = read.emplace(file, read_offsets(types)).first;
	}
	return it->second;
}

} // namespace

PyOffsets table_offsets() { return layout_table(); }
const char *table_source() { return kLayoutTableSource; }

std::string check_layout(Memory &mem, pid_t pid, const PyOffsets &o, const PythonProcess &py)
{
	PyObjects obj(mem, pid, o);
	auto interp = obj.word(py.runtime + o.runtime_interp_main);
	if (!interp)
		return "_PyRuntime cannot be read";
	if (!*interp)
		return "_PyRuntime.interpreters.main is NULL (the interpreter is not running)";
	auto runtime = obj.word(*interp + o.interp_runtime);
	if (runtime != py.runtime)
		return cfur::strf("the main interpreter %s's runtime is %s, not _PyRuntime %s",
				  hex(*interp).c_str(), hex(runtime.value_or(0)).c_str(),
				  hex(py.runtime).c_str());
	auto main_thread = obj.word(py.runtime + o.runtime_main_thread);
	auto tstate = obj.word(*interp + o.interp_threads_head);
	bool frame_checked = false, own_thread = false;
	for (int i = 0; i < kThreadsChecked && tstate && *tstate; i++) {
		std::string why = check_thread(obj, o, py, *tstate, *interp, &frame_checked);
		if (!why.empty())
			return why;
		auto tid = obj.word(*tstate + o.tstate_native_tid);
		auto ident = obj.word(*tstate + o.tstate_thread_id);
		own_thread = own_thread || (tid && is_thread_of(pid, *tid));
		if (ident == main_thread && tid && *tid != static_cast<std::uint64_t>(pid) &&
		    is_thread_of(pid, static_cast<std::uint64_t>(pid)))
			return cfur::strf("the main thread's PyThreadState says its native id is %llu, "
					  "not the pid %d",
					  static_cast<unsigned long long>(*tid), pid);
		tstate = obj.word(*tstate + o.tstate_next);
	}
	if (!own_thread && tstate)
		return "no PyThreadState's native_thread_id is a thread of the process";
	return {};
}

TargetInfo open_target(pid_t pid, LayoutChoice choice, const std::string &debug_root)
{
	TargetInfo t;
	t.py = inspect_python(pid, debug_root);
	bool use_dwarf = choice == LayoutChoice::dwarf ||
			 (choice == LayoutChoice::automatic && !t.py.debug_file.empty());
	if (use_dwarf) {
		if (t.py.debug_file.empty())
			throw std::runtime_error(cfur::strf(
				"--layout dwarf: no debug information for %s (build-id %s): neither %s nor "
				"DWARF in the file itself; put this interpreter's debug file there, or "
				"leave out --layout to use pystack's CPython 3.11 layout table",
				t.py.binary.c_str(), t.py.build_id.empty() ? "none" : t.py.build_id.c_str(),
				t.py.debug_file_wanted.empty() ? "a debug file by build-id"
							       : t.py.debug_file_wanted.c_str()));
		try {
			t.offsets = dwarf_offsets(t.py.debug_file);
			t.layout_source = "the DWARF of " + t.py.debug_file;
		} catch (const std::runtime_error &e) {
			// DWARF without CPython's types (a -g1 build): the table
			if (choice == LayoutChoice::dwarf)
				throw;
			use_dwarf = false;
			t.layout_source = std::string(" (") + e.what() + ")";
		}
	}
	if (!use_dwarf) {
		t.offsets = table_offsets();
		t.layout_source = std::string("the CPython 3.11 layout table (from ") + table_source() +
				  ")" + t.layout_source;
	}
	auto mem = make_process_memory();
	std::string why = check_layout(*mem, pid, t.offsets, t.py);
	if (!why.empty()) {
		if (use_dwarf)
			throw std::runtime_error(cfur::strf(
				"%s does not describe the interpreter running in pid %d (%s): %s. Is it "
				"the debug information of this very build?",
				t.layout_source.c_str(), pid, t.py.binary.c_str(), why.c_str()));
		throw std::runtime_error(cfur::strf(
			"%s does not fit the interpreter running in pid %d (%s, CPython %s): %s. A debug "
			"or patched build has a layout of its own: put its debug file at %s (or leave "
			"its DWARF in the file) and pystack reads the layout from it",
			t.layout_source.c_str(), pid, t.py.binary.c_str(), t.py.version.str().c_str(),
			why.c_str(),
			t.py.debug_file_wanted.empty() ? "/usr/lib/debug/.build-id/..."
						       : t.py.debug_file_wanted.c_str()));
	}
	t.layout = make_walk_layout(t.offsets, t.py.runtime, t.py.code_type);
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
