// SPDX-License-Identifier: GPL-2.0
// From a sample to thread stacks, and from thread stacks to a profile:
// collapsed stacks ("P<pid>;T<tid> [comm] name;function (file.py:line);...
// N", outermost frame first, as flamegraph.pl reads them) with their
// counts, each thread's stacks in the order they were taken, and the check
// against the stacks a test program says it has (in the older form
// "file:function:line", which the test programs write). A frame is made
// once per (code object, line) and shared by every stack that has it; a
// profile counts stacks by those frames, and spells them out only when it
// is written.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "symbols.hpp"
#include "walker.hpp"

namespace pystack {

struct FrameInfo {
	std::string name, file;
	int line = 0; // 0: unknown
	int firstlineno = 0;
	std::string qualname{}; // co_qualname ("Class.method"), "" if unknown

	std::string str() const; // "file:function:line", for --expect
	// The name the outputs show: the qualified name, else the name.
	const std::string &function() const { return qualname.empty() ? name : qualname; }
	// "function (file.py:line)", as py-spy names a frame: the file's
	// short name (short_file), no line if it is unknown; "?" for a frame
	// whose code object could not be read.
	std::string label() const;
	auto operator<=>(const FrameInfo &) const = default;
};

// A file's name as a frame shows it: its last component, with the
// package's directory for a package's __init__.py or __main__.py
// ("json/__init__.py").
std::string short_file(const std::string &path);

// The frames of one walker's stacks, each made once.
class FrameTable {
public:
	const FrameInfo *get(const Symbol *sym, int line);
	// One of these contents (for frames not from a symbol).
	const FrameInfo *get(const FrameInfo &f);

private:
	std::map<std::pair<const Symbol *, int>, FrameInfo> by_symbol_;
	std::set<FrameInfo> by_value_;
};

// The marker frame of a thread that was neither on a CPU nor runnable.
inline constexpr const char kIdleFrame[] = "[idle]";

struct ThreadSample {
	pid_t pid = 0;
	std::uint64_t tid = 0;		       // as pystack's pid namespace knows it
	std::string thread;		       // "T<tid> [comm] name"
	std::vector<const FrameInfo *> frames; // outermost first
	int error = 0;
	bool truncated = false;
	int consistency = PY_UNCHECKED;
	int state = PY_STATE_UNKNOWN;
	bool gil = false;

	bool idle() const { return state == PY_STATE_IDLE; }
	// "P<pid>;<thread>;frame;frame", and ";[idle]" if idle and marked:
	// the frames as FrameInfo::str() (what --expect compares) ...
	std::string collapsed(bool idle_marker) const;
	// ... or as FrameInfo::label() (the collapsed file, flamegraph.pl's)
	std::string labelled(bool idle_marker) const;

private:
	// the stack with each frame as (frame->*name)()
	std::string joined(bool idle_marker, std::string (FrameInfo::*name)() const) const;
};

// The label of a thread: "T<tid> [comm] python-name".
using ThreadLabeler = std::function<std::string(pid_t pid, const py_thread &t)>;

// The threads of one sample, in the order the interpreters list them.
std::vector<ThreadSample> stacks_of(const SampleView &v, const Symbols &symbols, FrameTable &frames,
				    const ThreadLabeler &label);

// Stacks and their counts over many samples, and each thread's stacks in
// the order they were added (4 bytes a thread sample: the index of its
// distinct stack).
class Profile {
public:
	explicit Profile(bool idle_marker = false) : idle_marker_(idle_marker) {}
	// The first stack added sets the profile's start time.
	void add(const ThreadSample &t);
	// Collapsed stacks (frames as labels) and counts, sorted.
	void write(std::ostream &out) const;

	struct Entry {
		ThreadSample stack;
		std::uint64_t count = 0;
		std::uint32_t id = 0;	    // the order in which it was first added
		std::uint32_t timeline = 0; // its thread's, in timelines()
	};
	struct Timeline {
		std::string thread;		   // "P<pid> <thread>"
		std::vector<std::uint32_t> stacks; // ids, in the order added
	};
	// Every distinct stack by its collapsed form.
	std::map<std::string, const Entry *> entries() const;
	// Every distinct stack by its id.
	std::vector<const Entry *> by_id() const;
	// Per thread, its stacks in the order added; threads in the order seen.
	const std::vector<Timeline> &timelines() const { return timelines_; }
	std::size_t size() const { return entries_.size(); }
	bool idle_marker() const { return idle_marker_; }
	// When the first stack was added, in nanoseconds since the epoch; 0
	// if none was.
	std::int64_t start_unix_ns() const { return start_unix_ns_; }

private:
	struct Key {
		pid_t pid;
		std::string thread;
		bool idle;
		std::vector<const FrameInfo *> frames;
		bool operator==(const Key &) const = default;
	};
	struct KeyHash {
		std::size_t operator()(const Key &k) const;
	};

	bool idle_marker_;
	std::unordered_map<Key, Entry, KeyHash> entries_;
	std::vector<Timeline> timelines_;
	std::map<std::string, std::uint32_t> timeline_of_; // thread -> index
	std::int64_t start_unix_ns_ = 0;
};

// The stacks a sample must show: one collapsed stack per line (no count).
// A sample matches if its threads' stacks are exactly these, no more.
class Expected {
public:
	static Expected parse(std::istream &in);
	bool matches(const std::vector<ThreadSample> &threads, bool idle_marker) const;
	std::size_t size() const { return stacks_.size(); }

private:
	std::set<std::string> stacks_;
};

} // namespace pystack
