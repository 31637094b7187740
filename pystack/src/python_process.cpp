// SPDX-License-Identifier: GPL-2.0
#include "python_process.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <span>
#include <sstream>
#include <stdexcept>

#include "elf_file.hpp"
#include "proc_ns.hpp"
#include "strf.hpp"
#include "versions.hpp"

namespace pystack {
namespace {

[[noreturn]] void fail(const std::string &what)
{
	throw std::runtime_error(what);
}

// True if the head of _PyRuntime is _Py_DebugOffsets saying free-threaded;
// false if it says otherwise or is not _Py_DebugOffsets at all (the
// layout's check then finds what is wrong).
bool free_threaded_head(const VersionSpec &v, std::span<const std::uint8_t> head)
{
	try {
		return v.free_threaded(head);
	} catch (const std::runtime_error &) {
		return false;
	}
}

std::string basename_of(const std::string &path)
{
	std::size_t slash = path.rfind('/');
	return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The mapped files that may hold the interpreter: the executable and any
// libpython, each once, by their first mapping.
std::vector<Mapping> candidates(const std::vector<Mapping> &maps)
{
	std::vector<Mapping> out;
	for (const Mapping &m : maps) {
		std::string base = basename_of(mapped_path(m.path));
		if (m.offset != 0 || m.path.empty() || m.path[0] != '/')
			continue;
		if (base.rfind("python", 0) != 0 && base.rfind("libpython", 0) != 0)
			continue;
		bool seen = false;
		for (const Mapping &o : out)
			seen = seen || o.path == m.path;
		if (!seen)
			out.push_back(m);
	}
	return out;
}

std::string readlink_of(const std::string &path)
{
	char buf[4096];
	ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
	return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

} // namespace

ElfFile open_mapped(pid_t pid, const Mapping &m, std::string *opened)
{
	std::string proc = "/proc/" + std::to_string(pid);
	bool deleted = false;
	std::string path = mapped_path(m.path, &deleted);
	std::vector<std::string> ways = {proc + "/map_files/" + map_files_name(m.start, m.end)};
	// the same d_path() string: " (deleted)" and all
	if (readlink_of(proc + "/exe") == m.path)
		ways.push_back(proc + "/exe");
	if (!deleted)
		ways.push_back(proc + "/root" + path);
	std::string why;
	bool denied = false;
	for (const std::string &way : ways) {
		try {
			ElfFile elf(way);
			*opened = way;
			return elf;
		} catch (const std::runtime_error &e) {
			why += std::string(why.empty() ? "" : "; ") + e.what();
			denied = denied || std::strstr(e.what(), "Permission denied") ||
				 std::strstr(e.what(), "not permitted");
		}
	}
	fail(cfur::strf("pid %d maps %s, which pystack cannot open from here: %s. %s", pid,
			m.path.c_str(), why.c_str(),
			denied	  ? "Following /proc/PID/map_files needs CAP_SYS_ADMIN (or "
				    "CAP_CHECKPOINT_RESTORE) in the initial user namespace, and /proc/PID/exe "
				    "and /proc/PID/root ptrace access to the target: run pystack as root on the "
				    "host, not in a user namespace of a container"
			: deleted ? "The file was deleted and its mapping cannot be opened: run "
				    "pystack as root on the host (map_files opens a deleted file)"
				  : "The target's root is not reachable from here: run pystack as "
				    "root in the target's pid namespace or an ancestor of it, with "
				    "its /proc"));
}

std::vector<Mapping> parse_maps(std::istream &in)
{
	std::vector<Mapping> maps;
	std::string line;
	while (std::getline(in, line)) {
		Mapping m;
		char perms[8] = {};
		int path_at = 0;
		unsigned long long start, end, offset;
		if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms,
				&offset, &path_at) < 4)
			fail("unexpected line in a maps file: '" + line + "'");
		m.start = start;
		m.end = end;
		m.offset = offset;
		m.perms = perms;
		if (path_at > 0 && static_cast<std::size_t>(path_at) <= line.size())
			m.path = line.substr(static_cast<std::size_t>(path_at));
		maps.push_back(std::move(m));
	}
	return maps;
}

std::string PythonVersion::str() const
{
	return cfur::strf("%d.%d.%d", major, minor, micro);
}

PythonVersion decode_version(std::uint32_t hex)
{
	return {static_cast<int>(hex >> 24), static_cast<int>((hex >> 16) & 0xff),
		static_cast<int>((hex >> 8) & 0xff)};
}

std::string debug_file_path(const std::string &root, const std::string &build_id)
{
	if (build_id.size() < 3)
		return {};
	return root + "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) + ".debug";
}

PythonProcess inspect_python(pid_t pid, const std::string &debug_root)
{
	PythonProcess p;
	p.pid = pid;
	std::string proc = "/proc/" + std::to_string(pid);
	struct stat st;
	if (std::string mismatch = proc_mismatch(); !mismatch.empty())
		fail(mismatch);
	if (pid <= 0 || stat(proc.c_str(), &st) != 0)
		fail(cfur::strf("no process with pid %d", pid));
	p.own_pid = TidMap(pid).own_pid();
	std::ifstream maps_file(proc + "/maps");
	if (!maps_file) {
		int err = errno;
		fail("cannot read " + proc + "/maps: " + std::strerror(err) +
		     (err == EACCES || err == EPERM
			      ? " (pystack must run as root, or as the target's user where ptrace "
				"is allowed)"
			      : ""));
	}
	std::vector<Mapping> maps = parse_maps(maps_file);

	std::string tried;
	for (const Mapping &m : candidates(maps)) {
		std::string opened;
		ElfFile elf = open_mapped(pid, m, &opened);
		auto runtime = elf.symbol("_PyRuntime");
		if (!runtime) {
			tried += " " + m.path;
			continue;
		}
		p.binary = m.path;
		mapped_path(m.path, &p.deleted);
		p.path = opened;
		p.bias = m.start - elf.load_base();
		p.runtime = *runtime + p.bias;
		if (auto code = elf.symbol("PyCode_Type"))
			p.code_type = *code + p.bias;
		if (auto str = elf.symbol("PyUnicode_Type"))
			p.unicode_type = *str + p.bias;
		p.build_id = elf.build_id();
		auto version_sym = elf.symbol("Py_Version");
		auto bytes = version_sym ? elf.read(*version_sym, 4) : std::nullopt;
		if (!bytes)
			fail(cfur::strf("pid %d runs %s, a CPython older than 3.11 (it has no Py_Version); "
					"pystack supports CPython %s",
					pid, p.binary.c_str(), supported_versions().c_str()));
		std::memcpy(&p.version_hex, bytes->data(), sizeof(p.version_hex));
		p.version = decode_version(p.version_hex);
		p.spec = find_version(p.version.major, p.version.minor);
		if (!p.spec)
			fail(cfur::strf("pid %d runs CPython %s (%s); pystack supports CPython %s",
					pid, p.version.str().c_str(), p.binary.c_str(),
					supported_versions().c_str()));
		// a free-threaded build (3.13t) says so in its _Py_DebugOffsets
		auto head = p.spec->free_threaded ? elf.read(*runtime, p.spec->debug_offsets_size)
						  : std::nullopt;
		if (head && free_threaded_head(*p.spec, *head))
			fail(cfur::strf("pid %d runs a free-threaded build of CPython %s (%s, built with "
					"Py_GIL_DISABLED): its objects and frames are laid out otherwise, "
					"which pystack does not read; sample a build with the GIL",
					pid, p.version.str().c_str(), p.binary.c_str()));
		// Py_REF_DEBUG, which Py_DEBUG implies, defines it
		if (elf.symbol("_Py_NegativeRefcount"))
			fail(cfur::strf("pid %d runs a debug build of CPython %s (%s, built with Py_DEBUG): "
					"its objects have fields of their own that no layout of pystack's "
					"describes; sample a release build",
					pid, p.version.str().c_str(), p.binary.c_str()));
		p.debug_file_wanted = debug_file_path(debug_root, p.build_id);
		// The debug file here, not one in the target's own root: a
		// container's files are its owner's, and a symlink there resolves
		// against pystack's root (a FIFO, a device, any file of the host,
		// opened as root), its DWARF is theirs to forge; without one here,
		// the built-in table or _Py_DebugOffsets serve.
		if (!p.debug_file_wanted.empty() && access(p.debug_file_wanted.c_str(), R_OK) == 0)
			p.debug_file = p.debug_file_wanted;
		else if (elf.has_section(".debug_info"))
			p.debug_file = p.path;
		return p;
	}
	fail(cfur::strf("pid %d is not a CPython process: no _PyRuntime symbol in%s", pid,
			tried.empty() ? " any python or libpython file it maps" : tried.c_str()));
}

} // namespace pystack
