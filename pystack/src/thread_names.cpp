// SPDX-License-Identifier: GPL-2.0
#include "thread_names.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "remote_objects.hpp"
#include "strf.hpp"

namespace pystack {
namespace {

// ';' separates frames in collapsed stacks.
std::string clean(std::string s)
{
	std::replace(s.begin(), s.end(), ';', ',');
	std::replace(s.begin(), s.end(), '\n', ' ');
	std::replace(s.begin(), s.end(), '\r', ' ');
	return s;
}

} // namespace

void ThreadNames::add_process(pid_t pid, std::uint64_t runtime, const PyOffsets &o,
			      const VersionSpec &v)
{
	Process &p = processes_[pid];
	p.runtime = runtime;
	p.offsets = o;
	p.version = &v;
	p.tids = std::make_unique<TidMap>(pid);
	p.walk_comm = in_initial_pid_ns() && !p.tids->own_namespace();
}

void ThreadNames::remove_process(pid_t pid)
{
	processes_.erase(pid);
	std::erase_if(labels_, [&](const auto &l) { return l.first.first == pid; });
}

std::map<std::uint64_t, std::string> ThreadNames::read_python_names(pid_t pid)
{
	std::map<std::uint64_t, std::string> names;
	auto it = processes_.find(pid);
	if (it == processes_.end())
		return names;
	const PyOffsets &o = it->second.offsets;
	PyObjects obj(*mem_, pid, o, *it->second.version);
	auto interp = obj.word(it->second.runtime + o.runtime_interp_main);
	auto modules = interp ? obj.word(*interp + o.interp_modules) : std::nullopt;
	auto threading = modules ? obj.get(*modules, "threading") : std::nullopt;
	auto dict = threading ? obj.word(*threading + o.module_dict) : std::nullopt;
	auto active = dict ? obj.get(*dict, "_active") : std::nullopt;
	if (!active)
		return names;
	for (auto [ident, thread] : obj.items(*active)) {
		auto id = obj.integer(ident);
		auto name = obj.attribute(thread, "_name");
		auto text = name ? obj.str(*name) : std::nullopt;
		if (id && text)
			names[static_cast<std::uint64_t>(*id)] = *text;
	}
	return names;
}

// tid: pystack's (the host's) id of a thread of pid
std::string ThreadNames::os_name(pid_t pid, std::uint64_t tid, const char *comm)
{
	if (comm[0])
		return std::string(comm, strnlen(comm, PY_COMM_LEN));
	auto it = comms_.find(tid);
	if (it == comms_.end()) {
		std::ifstream f("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) +
				"/comm");
		std::string name;
		std::getline(f, name);
		it = comms_.emplace(tid, name).first;
	}
	return it->second;
}

// The label of a thread already seen is made again only if its name may
// have changed: another comm, or no Python name yet.
std::string ThreadNames::label(pid_t pid, const py_thread &t)
{
	std::string comm(t.comm, strnlen(t.comm, PY_COMM_LEN));
	Label &l = labels_[{pid, t.native_tid}];
	if (l.text.empty() || l.comm != comm || l.thread_id != t.thread_id || !l.named) {
		l.text = make_label(pid, t);
		l.comm = comm;
		l.thread_id = t.thread_id;
		auto it = processes_.find(pid);
		l.named = it != processes_.end() && it->second.names.count(t.thread_id);
	}
	return l.text;
}

std::string ThreadNames::make_label(pid_t pid, const py_thread &t)
{
	auto it = processes_.find(pid);
	TidMap *tids = it != processes_.end() ? it->second.tids.get() : nullptr;
	std::string label;
	if (tids && tids->own_namespace()) {
		// The walk took the comm of the thread whose id this is in the
		// initial pid namespace (bpf_task_from_pid()): not this one.
		auto here = tids->here(t.native_tid);
		label = cfur::strf(
			"T%s (%llu in its pid ns) [%s]", here ? std::to_string(*here).c_str() : "?",
			static_cast<unsigned long long>(t.native_tid),
			here ? clean(os_name(pid, static_cast<std::uint64_t>(*here), "")).c_str() : "");
	} else {
		bool walk_comm = it == processes_.end() || it->second.walk_comm;
		label = "T" + std::to_string(t.native_tid) + " [" +
			clean(os_name(pid, t.native_tid, walk_comm ? t.comm : "")) + "]";
	}
	if (it == processes_.end())
		return label;
	Process &p = it->second;
	auto name = p.names.find(t.thread_id);
	auto now = std::chrono::steady_clock::now();
	if (name == p.names.end() && now - p.last_read >= std::chrono::seconds(1)) {
		p.last_read = now;
		p.names = read_python_names(pid);
		name = p.names.find(t.thread_id);
	}
	return name == p.names.end() ? label : label + " " + clean(name->second);
}

} // namespace pystack
