// SPDX-License-Identifier: GPL-2.0
// A target as /proc shows it from pystack's side of a container: its
// threads' ids in its own pid namespace and in pystack's (NSpid), and the
// files it maps, reached through /proc/PID/map_files and /proc/PID/exe
// whatever its root, and whether they were deleted.
//
// What the kernel (6.12) does, which this rests on:
// - /proc/PID/task/TID/status's NSpid line lists the thread's id in each
//   pid namespace from the one of that /proc mount down to the thread's own
//   (fs/proc/array.c, task_state()): outermost first, the thread's own id
//   (what gettid() returns in it, and CPython stores as native_thread_id)
//   last.
// - /proc/PID/map_files/START-END (the vma's bounds, "%lx-%lx") is there
//   without CONFIG_CHECKPOINT_RESTORE (fs/proc/base.c, tgid_base_stuff);
//   looking it up needs ptrace read access (mm_access with
//   PTRACE_MODE_READ_FSCREDS), following it CAP_SYS_ADMIN or
//   CAP_CHECKPOINT_RESTORE in the initial user namespace
//   (proc_map_files_get_link(): checkpoint_restore_ns_capable(&init_user_ns)).
//   It opens the vma's file itself: another root's, or a deleted one.
// - /proc/PID/exe opens the task's exe_file (proc_exe_link()), with ptrace
//   read access only; deleted or not.
// - A maps line names a file unlinked since it was mapped with " (deleted)"
//   after its path (d_path(), fs/d_path.c).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pystack {

// The NSpid line of a status file: a thread's ids, outermost namespace
// first. Empty if the file has no such line (a kernel before 4.1).
std::vector<pid_t> parse_nspid(std::istream &status);

// A maps line's path without the " (deleted)" the kernel puts after a
// file that was unlinked; *deleted says whether it was there.
std::string mapped_path(const std::string &maps_path, bool *deleted = nullptr);

// The name of a mapping's entry in /proc/PID/map_files: "START-END" in
// lower-case hex without 0x, as proc_map_files_readdir() writes it.
std::string map_files_name(std::uint64_t start, std::uint64_t end);

// "" if this /proc is of pystack's own pid namespace, else what to do:
// pystack in a pid namespace of its own must have a /proc mounted there,
// or the pids it is given and the ones it reads do not agree.
std::string proc_mismatch();

// One target's threads: their ids in its own pid namespace (what CPython
// records) and in pystack's (what /proc, process_vm_readv and the user
// know). For a target in pystack's own namespace both are the same.
class TidMap {
public:
	explicit TidMap(pid_t pid);

	pid_t pid() const { return pid_; }
	// The target's pid in its own namespace (== pid() if it has none).
	pid_t own_pid() const { return own_pid_; }
	// True if the target runs in a pid namespace below pystack's.
	bool own_namespace() const { return own_pid_ != pid_; }

	// A thread's id here from its id in the target's namespace; the
	// threads are read again (at most every 100 ms) for an id not known.
	std::optional<pid_t> here(std::uint64_t own_tid);

	// For tests: the table from NSpid lines as given.
	void set(const std::map<pid_t, pid_t> &own_to_here) { own_to_here_ = own_to_here; }

private:
	void read_threads();

	pid_t pid_ = 0, own_pid_ = 0;
	std::map<pid_t, pid_t> own_to_here_;
	std::chrono::steady_clock::time_point last_read_{};
};

// The id here of thread own_tid (as the target records it) of target pid;
// own_tid itself for a target in pystack's own pid namespace, 0 for a
// thread not found. For the lookups of a thread's scheduler state in
// /proc that go by the id CPython records (--idle, --mode cpu).
std::uint64_t tid_here(pid_t pid, std::uint64_t own_tid);
// Forgets what tid_here() knew of pid (a target that went away).
void forget_tids(pid_t pid);

// True if pystack runs in the initial pid namespace: the only one whose
// ids bpf_task_from_pid() takes (kernel/bpf/helpers.c), known by its
// fixed inode number PROC_PID_INIT_INO (include/linux/proc_ns.h).
bool in_initial_pid_ns();

} // namespace pystack
