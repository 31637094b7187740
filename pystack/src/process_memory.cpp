// SPDX-License-Identifier: GPL-2.0
// The user-space walkers' view of a target: process_vm_readv(2) for its
// memory, /proc/TID/stat for its threads' states.
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_map>

#include "unique_fd.hpp"
#include "walker.hpp"

namespace pystack {
namespace {

class ProcessMemory final : public Memory {
public:
	long read(void *dst, std::size_t size, std::uint64_t addr, pid_t pid) override
	{
		calls_++;
		iovec local{dst, size};
		iovec remote{reinterpret_cast<void *>(addr), size};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n == static_cast<ssize_t>(size))
			return 0;
		int err = errno;
		std::memset(dst, 0, size);
		return n < 0 && err == ESRCH ? -ESRCH : -EFAULT;
	}
	std::uint64_t calls() const override { return calls_; }

private:
	std::uint64_t calls_ = 0;
};

// The state letter of /proc/TID/stat: the field after the ")" that ends
// the command name.
int state_of(const char *stat, std::size_t n)
{
	std::string s(stat, n);
	std::size_t paren = s.rfind(')');
	if (paren == std::string::npos || paren + 2 >= s.size())
		return PY_STATE_UNKNOWN;
	return s[paren + 2] == 'R' ? PY_STATE_RUNNING : PY_STATE_IDLE;
}

class ProcSched final : public SchedSource {
public:
	explicit ProcSched(bool need_state) : need_state_(need_state) {}

	// The thread's stat under its process (/proc/PID/task/TID): a target
	// that records another process's thread id reads nothing of it. Its
	// file stays open for the next sample; at most kMaxFiles of them (a
	// target that makes threads and ends them would run pystack out of
	// file descriptors).
	int sched(pid_t pid, std::uint64_t tid, py_sched &out) override
	{
		if (!need_state_ || !tid || pid <= 0 || tid > 0x3fffffff)
			return -1;
		std::uint64_t key = static_cast<std::uint64_t>(pid) << 32 | tid;
		auto it = files_.find(key);
		if (it == files_.end()) {
			if (files_.size() >= kMaxFiles)
				files_.clear();
			std::string path = "/proc/" + std::to_string(pid) + "/task/" +
					   std::to_string(tid) + "/stat";
			calls_++;
			it = files_.emplace(key,
					    cfur::UniqueFd(open(path.c_str(), O_RDONLY | O_CLOEXEC)))
				     .first;
		}
		if (!it->second)
			return -1;
		char buf[512];
		calls_++;
		ssize_t n = pread(it->second.get(), buf, sizeof(buf), 0);
		if (n <= 0) {
			files_.erase(it);
			return -1;
		}
		out = {};
		out.state = static_cast<__u32>(state_of(buf, static_cast<std::size_t>(n)));
		return 0;
	}
	bool knows_switches() const override { return false; }
	std::uint64_t calls() const override { return calls_; }

private:
	static constexpr std::size_t kMaxFiles = 4096;
	bool need_state_;
	std::unordered_map<std::uint64_t, cfur::UniqueFd> files_; // by pid << 32 | tid
	std::uint64_t calls_ = 0;
};

} // namespace

std::unique_ptr<Memory> make_process_memory()
{
	return std::make_unique<ProcessMemory>();
}

std::unique_ptr<SchedSource> make_proc_sched(bool need_state)
{
	return std::make_unique<ProcSched>(need_state);
}

} // namespace pystack
