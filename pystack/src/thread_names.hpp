// SPDX-License-Identifier: GPL-2.0
// Thread labels: "T<tid> [os-name] python-name", the tid as pystack's pid
// namespace knows it; a target in a pid namespace of its own (a container)
// has "T<tid> (<its tid> in its pid ns) [os-name] python-name", as CPython
// records its threads' ids in its own namespace. The OS name is the
// thread's comm (from the walk, or /proc/TID/comm once); Python's name is
// its threading.Thread's name, read once per thread from the target's
// threading._active (and again, at most once a second, for a thread not
// found there yet).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "offsets.hpp"
#include "proc_ns.hpp"
#include "versions.hpp"
#include "walker.hpp"

namespace pystack {

class ThreadNames {
public:
	explicit ThreadNames(std::unique_ptr<Memory> mem) : mem_(std::move(mem)) {}

	// A target's interpreter: where its runtime is and its offsets.
	void add_process(pid_t pid, std::uint64_t runtime, const PyOffsets &o, const VersionSpec &v);
	void remove_process(pid_t pid);
	std::string label(pid_t pid, const py_thread &t);

	// The names of pid's Python threads by thread_id (threading.get_ident).
	std::map<std::uint64_t, std::string> read_python_names(pid_t pid);

private:
	struct Process {
		std::uint64_t runtime = 0;
		PyOffsets offsets;
		const VersionSpec *version = nullptr;
		std::map<std::uint64_t, std::string> names;
		std::chrono::steady_clock::time_point last_read{};
		std::unique_ptr<TidMap> tids; // its threads' ids here and in its namespace
		// the walk's comm is the thread's: its ids are the initial pid
		// namespace's, which a BPF walk looks threads up in
		bool walk_comm = true;
	};
	std::string os_name(pid_t pid, std::uint64_t tid, const char *comm);
	std::string make_label(pid_t pid, const py_thread &t);

	// a thread's label as last made, and what it was made of
	struct Label {
		std::string comm, text;
		std::uint64_t thread_id = 0;
		bool named = false;
	};

	std::unique_ptr<Memory> mem_;
	std::map<pid_t, Process> processes_;
	std::map<std::uint64_t, std::string> comms_;
	std::map<std::pair<pid_t, std::uint64_t>, Label> labels_;
};

} // namespace pystack
