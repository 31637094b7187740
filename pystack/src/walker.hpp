// SPDX-License-Identifier: GPL-2.0
// The ways of taking a sample. All run bpf/stack_walk.h:
//   bpf     one BPF_PROG_RUN, reading with bpf_copy_from_user_remote
//   task    one BPF_PROG_RUN, bpf_task_from_pid + bpf_copy_from_user_task
//           per read: what a BPF program can do without the new helper
//   austin  from user space, one process_vm_readv per read, with the same
//           whole-chunk reads and code-object cache as the two above (as
//           Austin and CPython's profiling.sampling read)
//   pvm     from user space, one process_vm_readv per read, everything
//           read every sample (as py-spy reads)
#pragma once

#include <linux/types.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pystack_layout.h"

namespace pystack {

// What the walk is told once, before it loads.
struct WalkSettings {
	std::uint32_t max_targets = 64;
	std::uint32_t max_threads = 256;  // per sample, all targets
	std::uint32_t max_depth = 1024;	  // per thread
	std::uint32_t max_frames = 65536; // per sample, all threads
	std::uint32_t max_code = 65536;	  // cached code objects
	std::uint32_t retries = 2;
	bool cpu_mode = false;
	bool need_state = false; // user-space walkers: read /proc thread states
};

struct Target {
	pid_t pid = 0;
	py_layout layout{};
};

// One sample, valid until the walker's next sample().
struct SampleView {
	const py_sample_hdr *hdr = nullptr;
	std::span<const py_target> targets;
	std::span<const py_thread> threads;
	std::span<const py_frame> frames;
	std::span<const py_symbol> symbols; // sent with this sample
};

struct WalkerStartup {
	double ms = 0;			  // making the walker, all of it
	std::uint32_t verified_insns = 0; // instructions the verifier went through
	std::string detail;		  // "" or "open 2.0 ms, ..."
};

class Walker {
public:
	virtual ~Walker() = default;
	virtual const char *name() const = 0;
	// The processes to sample, from the next sample on.
	virtual void set_targets(const std::vector<Target> &targets) = 0;
	virtual SampleView sample() = 0;
	// True if symbol ids hold for one sample only (nothing is cached).
	virtual bool symbols_per_sample() const { return false; }
	// True if it can tell a torn thread sample (knows scheduler states).
	virtual bool checks_consistency() const { return true; }
	// System calls this walker has made for its samples so far.
	std::uint64_t syscalls() const { return syscalls_; }
	// What its start-up cost (a BPF walker's: its load and verification).
	const WalkerStartup &startup() const { return startup_; }

protected:
	std::uint64_t syscalls_ = 0;
	WalkerStartup startup_;
};

// Target memory, for the user-space walkers (and tests).
class Memory {
public:
	virtual ~Memory() = default;
	// 0, or -errno; dst zeroed on error.
	virtual long read(void *dst, std::size_t size, std::uint64_t addr, pid_t pid) = 0;
	// System calls made so far.
	virtual std::uint64_t calls() const = 0;
};

// A thread's scheduler state, for the user-space walkers (and tests):
// 1 with switch counts, 0 with the state only, <0 nothing known.
class SchedSource {
public:
	virtual ~SchedSource() = default;
	// tid: a thread of process pid, in pystack's pid namespace
	virtual int sched(pid_t pid, std::uint64_t tid, py_sched &out) = 0;
	// True if sched() returns switch counts (1) when it knows the thread.
	virtual bool knows_switches() const = 0;
	virtual std::uint64_t calls() const = 0;
};

std::unique_ptr<Memory> make_process_memory();
// /proc/TID/stat (one pread per thread and sample) if need_state, else
// nothing known.
std::unique_ptr<SchedSource> make_proc_sched(bool need_state);

// Throws std::runtime_error if the program cannot be loaded, saying why
// (no helper in this kernel, no privilege).
std::unique_ptr<Walker> make_bpf_walker(const WalkSettings &s);
std::unique_ptr<Walker> make_task_walker(const WalkSettings &s);
std::unique_ptr<Walker> make_kfunc_walker(const WalkSettings &s);
std::unique_ptr<Walker> make_austin_walker(const WalkSettings &s, std::unique_ptr<Memory> mem,
					   std::unique_ptr<SchedSource> sched);
std::unique_ptr<Walker> make_pvm_walker(const WalkSettings &s, std::unique_ptr<Memory> mem,
					std::unique_ptr<SchedSource> sched);

// The walkers by name, in the order they are listed for --walker all. The
// kfunc walker is not in all: it needs the module (kmod/), so it is named,
// or picked by auto.
inline const std::vector<std::string> &walker_names()
{
	static const std::vector<std::string> names = {"bpf", "task", "austin", "pvm"};
	return names;
}

// Every name --walker takes: walker_names(), kfunc, and auto.
inline const std::vector<std::string> &walker_choices()
{
	static const std::vector<std::string> names = {"auto", "bpf",	 "kfunc",
						       "task", "austin", "pvm"};
	return names;
}

// What --walker auto runs: the best BPF walk the kernel offers. The helper
// (one call per read, no task lookup), else the module's kfunc (the same
// walk on a stock kernel), else bpf_copy_from_user_task() (a task lookup
// per target and sample, waits on every fault).
inline const char *pick_walker(bool has_helper, bool has_kfunc_module)
{
	if (has_helper)
		return "bpf";
	return has_kfunc_module ? "kfunc" : "task";
}

std::unique_ptr<Walker> make_walker(const std::string &name, const WalkSettings &s);

} // namespace pystack
