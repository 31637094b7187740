// SPDX-License-Identifier: GPL-2.0
// The set of targets the walkers share, and /proc's word on whether a
// target is gone.
#include "target_set.hpp"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "proc_ns.hpp"
#include "strf.hpp"
#include "versions.hpp"

namespace pystack {

bool gone(pid_t pid)
{
	std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
	std::string line;
	if (!std::getline(f, line))
		return true;
	std::size_t paren = line.rfind(')');
	char state = paren != std::string::npos && paren + 2 < line.size() ? line[paren + 2] : '?';
	return state == 'Z' || state == 'X';
}

bool exited(const py_target &t)
{
	return t.error == -ESRCH || gone(t.pid);
}

void TargetSet::add(pid_t pid)
{
	if (contains(pid))
		return;
	if (targets_.size() >= o_.max_targets)
		throw std::runtime_error(cfur::strf("pid %d: already %u targets, --max-targets",
						    pid, o_.max_targets));
	TargetInfo t = open_target(pid, o_.layout, o_.debug_root);
	names_.add_process(pid, t.py.runtime, t.offsets, *t.py.spec);
	targets_.push_back(std::move(t));
	update();
}

void TargetSet::remove(pid_t pid)
{
	auto it = std::find_if(targets_.begin(), targets_.end(),
			       [&](const TargetInfo &t) { return t.py.pid == pid; });
	if (it == targets_.end())
		return;
	targets_.erase(it);
	names_.remove_process(pid);
	forget_tids(pid);
	update();
}

bool TargetSet::contains(pid_t pid) const
{
	return std::any_of(targets_.begin(), targets_.end(),
			   [&](const TargetInfo &t) { return t.py.pid == pid; });
}

void TargetSet::rescan(std::ostream &log)
{
	for (pid_t root : o_.pids) {
		// a pid given that runs no Python yet: a shell that execs it
		if (!contains(root) && !gone(root)) {
			try {
				add(root);
				log << cfur::strf("pystack: sampling pid %d (it runs Python now)\n",
						  root);
			} catch (const std::exception &) {
				// told when it was first tried (run())
			}
		}
		for (pid_t pid : descendants_of(root)) {
			if (contains(pid) || gone(pid))
				continue;
			// a process may not run Python yet: tried again, told once
			try {
				add(pid);
				log << cfur::strf("pystack: sampling pid %d too (a descendant of %d)\n",
						  pid, root);
			} catch (const std::exception &e) {
				if (skipped_.insert(pid).second)
					log << "pystack: not sampling (yet) " << e.what() << '\n';
			}
		}
	}
}

bool TargetSet::roots_alive() const
{
	for (pid_t root : o_.pids)
		if (!gone(root))
			return true;
	return false;
}

void TargetSet::wait_for_first(double seconds, std::ostream &log)
{
	using Clock = std::chrono::steady_clock;
	auto start = Clock::now();
	std::string pids;
	for (pid_t root : o_.pids)
		pids += (pids.empty() ? "" : ", ") + std::to_string(root);
	log << "pystack: no CPython below pid " << pids << " yet; looking for one "
	    << (seconds < 0 ? std::string("as long as it runs")
			    : cfur::strf("for up to %.1f s (--duration)", seconds))
	    << " (--children)\n";
	for (;;) {
		rescan(log);
		if (!targets_.empty())
			return;
		double waited = std::chrono::duration<double>(Clock::now() - start).count();
		bool alive = roots_alive();
		if (!alive || (seconds >= 0 && waited >= seconds))
			throw std::runtime_error(cfur::strf(
				"no CPython process pystack can sample (%s) ran below pid %s in the %.1f s "
				"pystack looked (%s)%s",
				supported_versions().c_str(), pids.c_str(), waited,
				alive ? "the run's --duration was over" : "every pid given had exited",
				skipped_.empty()
					? "; is it Python that they start?"
					: "; the descendants it met are named above, with why"));
		std::this_thread::sleep_for(kLookEvery);
	}
}

std::vector<Target> TargetSet::walk_targets() const
{
	std::vector<Target> out;
	for (const TargetInfo &t : targets_)
		out.push_back({t.py.pid, t.layout});
	return out;
}

void TargetSet::update()
{
	std::vector<Target> t = walk_targets();
	for (Walker *w : walkers_)
		w->set_targets(t);
}

} // namespace pystack
