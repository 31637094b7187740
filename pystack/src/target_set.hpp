// SPDX-License-Identifier: GPL-2.0
// The targets every walker samples: added (--children) and removed (a
// process that exits) as the run goes, telling the walkers; and how a
// target that has exited is told from one whose read failed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <ostream>
#include <set>
#include <vector>

#include "options.hpp"
#include "targets.hpp"
#include "thread_names.hpp"
#include "walker.hpp"

namespace pystack {

class TargetSet {
public:
	// How often --children looks for a Python while it has none.
	static constexpr std::chrono::milliseconds kLookEvery{50};

	TargetSet(const Options &o, ThreadNames &names) : o_(o), names_(names) {}
	// Opens pid; throws std::runtime_error saying why it cannot be sampled.
	void add(pid_t pid);
	void remove(pid_t pid);
	bool contains(pid_t pid) const;
	const std::vector<TargetInfo> &targets() const { return targets_; }
	void attach(Walker &w)
	{
		walkers_.push_back(&w);
		w.set_targets(walk_targets());
	}
	// With --children: the pids' new descendants that run a CPython pystack samples.
	void rescan(std::ostream &log);
	// With --children and no target yet (a shell that starts Python a
	// moment later): rescans every 50 ms until a target is found, every
	// pid has exited, or `seconds` have passed (< 0: no limit); throws
	// std::runtime_error saying which if none was found.
	void wait_for_first(double seconds, std::ostream &log);
	// True while one of the pids pystack was given runs: with --children,
	// a Python may still come below it.
	bool roots_alive() const;

private:
	std::vector<Target> walk_targets() const;
	void update();

	const Options &o_;
	ThreadNames &names_;
	std::vector<TargetInfo> targets_;
	std::vector<Walker *> walkers_;
	std::set<pid_t> skipped_;
};

// A process that exited (or is a zombie: no memory left to read).
bool gone(pid_t pid);

// A target whose walk failed because it is exiting or gone: the helper and
// process_vm_readv say ESRCH once its memory is released; after that
// /proc says so.
bool exited(const py_target &t);

} // namespace pystack
