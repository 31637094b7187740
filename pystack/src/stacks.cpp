// SPDX-License-Identifier: GPL-2.0
#include "stacks.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "proc_ns.hpp"

namespace pystack {

std::string FrameInfo::str() const
{
	return file + ":" + name + ":" + std::to_string(line);
}

std::string short_file(const std::string &path)
{
	std::size_t slash = path.rfind('/');
	if (slash == std::string::npos)
		return path;
	std::string base = path.substr(slash + 1);
	if ((base == "__init__.py" || base == "__main__.py") && slash > 0) {
		std::size_t dir = path.rfind('/', slash - 1);
		return path.substr(dir == std::string::npos ? 0 : dir + 1);
	}
	return base;
}

std::string FrameInfo::label() const
{
	std::string s = function();
	if (!file.empty() && file != "?") {
		s += " (" + short_file(file);
		if (line > 0)
			s += ":" + std::to_string(line);
		s += ")";
	}
	// ';' separates a collapsed stack's frames (a file name may hold one)
	std::replace(s.begin(), s.end(), ';', ',');
	return s;
}

const FrameInfo *FrameTable::get(const Symbol *sym, int line)
{
	auto [it, added] = by_symbol_.try_emplace({sym, line});
	if (added)
		it->second = sym ? FrameInfo{sym->name, sym->file, line, sym->firstlineno, sym->qualname}
				 : FrameInfo{"?", "?", 0, 0, ""};
	return &it->second;
}

const FrameInfo *FrameTable::get(const FrameInfo &f)
{
	return &*by_value_.insert(f).first;
}

std::string ThreadSample::joined(bool idle_marker, std::string (FrameInfo::*name)() const) const
{
	std::string s = "P" + std::to_string(pid) + ";" + thread;
	for (const FrameInfo *f : frames)
		s += ";" + (f->*name)();
	if (idle_marker && idle())
		s += std::string(";") + kIdleFrame;
	return s;
}

std::string ThreadSample::collapsed(bool idle_marker) const
{
	return joined(idle_marker, &FrameInfo::str);
}

std::string ThreadSample::labelled(bool idle_marker) const
{
	return joined(idle_marker, &FrameInfo::label);
}

std::vector<ThreadSample> stacks_of(const SampleView &v, const Symbols &symbols, FrameTable &table,
				    const ThreadLabeler &label)
{
	std::vector<ThreadSample> out;
	for (const py_thread &t : v.threads) {
		ThreadSample ts;
		ts.pid = t.target < v.targets.size() ? v.targets[t.target].pid : 0;
		// the id as pystack's pid namespace knows the thread (CPython
		// records its own namespace's: 1 for a container's main thread)
		ts.tid = ts.pid ? tid_here(ts.pid, t.native_tid) : t.native_tid;
		if (!ts.tid)
			ts.tid = t.native_tid;
		ts.thread = label(ts.pid, t);
		ts.error = t.error;
		ts.truncated = t.truncated != 0;
		ts.consistency = t.consistency;
		ts.state = t.state;
		ts.gil = t.gil != 0;
		for (std::uint32_t d = t.depth; d > 0; d--) {
			std::size_t fi = t.first + d - 1;
			if (fi >= v.frames.size())
				continue;
			const py_frame &f = v.frames[fi];
			const Symbol *sym = symbols.find(f.sym);
			ts.frames.push_back(table.get(sym, sym ? sym->lines.line_at(f.lasti) : 0));
		}
		out.push_back(std::move(ts));
	}
	return out;
}

std::size_t Profile::KeyHash::operator()(const Key &k) const
{
	std::size_t h = std::hash<std::string>()(k.thread) ^
			(static_cast<std::size_t>(k.pid) << 1) ^ k.idle;
	for (const FrameInfo *f : k.frames)
		h = h * 1000003 ^ std::hash<const void *>()(f);
	return h;
}

void Profile::add(const ThreadSample &t)
{
	if (t.frames.empty())
		return;
	if (!start_unix_ns_)
		start_unix_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
					 std::chrono::system_clock::now().time_since_epoch())
					 .count();
	auto [it, added] = entries_.try_emplace({t.pid, t.thread, idle_marker_ && t.idle(), t.frames});
	Entry &e = it->second;
	if (added) {
		e.stack = t;
		e.id = static_cast<std::uint32_t>(entries_.size() - 1);
		std::string thread = "P" + std::to_string(t.pid) + " " + t.thread;
		auto [tl, new_thread] = timeline_of_.try_emplace(thread, timelines_.size());
		if (new_thread)
			timelines_.push_back({thread, {}});
		e.timeline = tl->second;
	}
	e.count++;
	timelines_[e.timeline].stacks.push_back(e.id);
}

std::vector<const Profile::Entry *> Profile::by_id() const
{
	std::vector<const Entry *> out(entries_.size());
	for (const auto &[key, e] : entries_)
		out[e.id] = &e;
	return out;
}

std::map<std::string, const Profile::Entry *> Profile::entries() const
{
	std::map<std::string, const Entry *> out;
	for (const auto &[key, e] : entries_)
		out.emplace(e.stack.collapsed(idle_marker_), &e);
	return out;
}

void Profile::write(std::ostream &out) const
{
	// two stacks of one label (two files of one short name) are one line
	std::map<std::string, std::uint64_t> lines;
	for (const auto &[key, e] : entries_)
		lines[e.stack.labelled(idle_marker_)] += e.count;
	for (const auto &[stack, count] : lines)
		out << stack << ' ' << count << '\n';
}

Expected Expected::parse(std::istream &in)
{
	Expected e;
	std::string line;
	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		if (line[0] != 'P' || line.find(";T") == std::string::npos)
			throw std::runtime_error("an expected stack is 'P<pid>;T<tid> ...;file:function:"
						 "line;...', not '" +
						 line + "'");
		e.stacks_.insert(line);
	}
	if (e.stacks_.empty())
		throw std::runtime_error("the expected-stacks file names no stack");
	return e;
}

bool Expected::matches(const std::vector<ThreadSample> &threads, bool idle_marker) const
{
	std::set<std::string> seen;
	for (const ThreadSample &t : threads) {
		if (t.error || t.truncated)
			return false;
		if (!t.frames.empty())
			seen.insert(t.collapsed(idle_marker));
	}
	return seen == stacks_;
}

} // namespace pystack
