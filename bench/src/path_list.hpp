// SPDX-License-Identifier: GPL-2.0
// The ways to read another process's memory that the benchmark compares,
// in the order of its table: the helper first, the module's kfunc beside
// it, then what programs and tools use today.
#pragma once

#include <string>
#include <vector>

namespace cfur::bench {

enum class PathId { Remote, Kfunc, TaskEach, TaskOnce, ProcessVmReadv, ProcMem };

struct PathInfo {
	PathId id;
	std::string name;	 // short, for the table
	std::string description; // one line, for the header
};

inline const std::vector<PathInfo> &all_paths()
{
	static const std::vector<PathInfo> paths = {
		{PathId::Remote, "helper", "bpf_copy_from_user_remote per read (syscall prog, bpf_loop)"},
		{PathId::Kfunc, "kfunc",
		 "bpf_copy_from_user_pid per read, the module's kfunc (syscall prog, bpf_loop)"},
		{PathId::TaskEach, "task-each",
		 "bpf_task_from_pid + bpf_copy_from_user_task + bpf_task_release per read"},
		{PathId::TaskOnce, "task-once",
		 "one bpf_task_from_pid per batch, bpf_copy_from_user_task per read"},
		{PathId::ProcessVmReadv, "pvm_readv", "process_vm_readv(2), one call per read"},
		{PathId::ProcMem, "proc-mem", "pread(2) on /proc/PID/mem, one call per read"},
	};
	return paths;
}

} // namespace cfur::bench
