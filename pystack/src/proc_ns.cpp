// SPDX-License-Identifier: GPL-2.0
#include "proc_ns.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "strf.hpp"

namespace pystack {

std::vector<pid_t> parse_nspid(std::istream &status)
{
	std::vector<pid_t> ids;
	std::string line;
	while (std::getline(status, line)) {
		if (line.rfind("NSpid:", 0) != 0)
			continue;
		std::istringstream in(line.substr(6));
		long id;
		while (in >> id)
			ids.push_back(static_cast<pid_t>(id));
		break;
	}
	return ids;
}

std::string mapped_path(const std::string &maps_path, bool *deleted)
{
	static const std::string kDeleted = " (deleted)";
	bool gone = maps_path.size() > kDeleted.size() &&
		    maps_path.compare(maps_path.size() - kDeleted.size(), kDeleted.size(),
				      kDeleted) == 0;
	if (deleted)
		*deleted = gone;
	return gone ? maps_path.substr(0, maps_path.size() - kDeleted.size()) : maps_path;
}

std::string map_files_name(std::uint64_t start, std::uint64_t end)
{
	return cfur::strf("%llx-%llx", static_cast<unsigned long long>(start),
			  static_cast<unsigned long long>(end));
}

std::string proc_mismatch()
{
	char buf[32] = {};
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0)
		return "/proc is not mounted: pystack reads its targets there; mount it "
		       "(mount -t proc proc /proc)";
	long self = std::atol(buf);
	if (self == static_cast<long>(getpid()))
		return {};
	return cfur::strf("this /proc is not of pystack's pid namespace (it calls pystack %ld, "
			  "getpid() says %d): pystack runs in a pid namespace of its own without a "
			  "/proc of it, so the pids it is given and the ones it reads do not agree; "
			  "mount one (unshare --pid --fork --mount-proc, or mount -t proc proc /proc "
			  "in a mount namespace of its own)",
			  self, static_cast<int>(getpid()));
}

TidMap::TidMap(pid_t pid) : pid_(pid), own_pid_(pid)
{
	std::ifstream f("/proc/" + std::to_string(pid) + "/status");
	std::vector<pid_t> ids = parse_nspid(f);
	if (!ids.empty())
		own_pid_ = ids.back();
	if (own_namespace())
		read_threads();
}

void TidMap::read_threads()
{
	last_read_ = std::chrono::steady_clock::now();
	std::string task = "/proc/" + std::to_string(pid_) + "/task";
	DIR *d = opendir(task.c_str());
	if (!d)
		return;
	own_to_here_.clear(); // an own id may have been taken again since
	while (dirent *e = readdir(d)) {
		pid_t tid = static_cast<pid_t>(std::atoi(e->d_name));
		if (tid <= 0)
			continue;
		std::ifstream f(task + "/" + e->d_name + "/status");
		std::vector<pid_t> ids = parse_nspid(f);
		if (!ids.empty())
			own_to_here_[ids.back()] = tid;
	}
	closedir(d);
}

std::optional<pid_t> TidMap::here(std::uint64_t own_tid)
{
	if (!own_namespace())
		return static_cast<pid_t>(own_tid);
	auto it = own_to_here_.find(static_cast<pid_t>(own_tid));
	if (it == own_to_here_.end() &&
	    std::chrono::steady_clock::now() - last_read_ >= std::chrono::milliseconds(100)) {
		read_threads();
		it = own_to_here_.find(static_cast<pid_t>(own_tid));
	}
	if (it == own_to_here_.end())
		return std::nullopt;
	return it->second;
}

namespace {

std::map<pid_t, std::unique_ptr<TidMap>> &tid_maps()
{
	static std::map<pid_t, std::unique_ptr<TidMap>> maps;
	return maps;
}

} // namespace

std::uint64_t tid_here(pid_t pid, std::uint64_t own_tid)
{
	auto &maps = tid_maps();
	auto it = maps.find(pid);
	if (it == maps.end())
		it = maps.emplace(pid, std::make_unique<TidMap>(pid)).first;
	if (!it->second->own_namespace())
		return own_tid;
	return static_cast<std::uint64_t>(it->second->here(own_tid).value_or(0));
}

void forget_tids(pid_t pid)
{
	tid_maps().erase(pid);
}

bool in_initial_pid_ns()
{
	constexpr ino_t kProcPidInitIno = 0xEFFFFFFCU; // PROC_PID_INIT_INO
	struct stat st;
	return stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == kProcPidInitIno;
}

} // namespace pystack
