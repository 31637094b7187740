// SPDX-License-Identifier: GPL-2.0
// speedscope's file format (https://www.speedscope.app/file-format-schema.json):
// one "sampled" profile per thread in seconds, its samples in the order they
// were taken, each weighing the sampling period (as py-spy writes them), so
// that speedscope's "Time Order" view is the thread's time line. Frames are
// shared: named "function (file.py:line)", with the full path and the line.
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "writers.hpp"

namespace pystack {

void write_speedscope(std::ostream &out, const Profile &p, const ProfileMeta &meta)
{
	using nlohmann::json;
	std::map<std::tuple<std::string, std::string, int>, std::size_t> index;
	json frames = json::array();
	auto frame_id = [&](const std::string &name, const std::string &file, int line) {
		auto [it, added] = index.try_emplace({name, file, line}, frames.size());
		if (added) {
			json f = {{"name", name}};
			if (!file.empty())
				f["file"] = file;
			if (line > 0)
				f["line"] = line;
			frames.push_back(std::move(f));
		}
		return it->second;
	};
	// each distinct stack's frame ids, made once
	std::vector<const Profile::Entry *> entries = p.by_id();
	std::vector<json> stacks;
	stacks.reserve(entries.size());
	for (const Profile::Entry *e : entries) {
		json stack = json::array();
		for (const FrameInfo *f : e->stack.frames)
			stack.push_back(frame_id(f->label(), f->file == "?" ? "" : f->file, f->line));
		if (p.idle_marker() && e->stack.idle())
			stack.push_back(frame_id(kIdleFrame, "", 0));
		stacks.push_back(std::move(stack));
	}
	const double period_s = meta.period_ns / 1e9;
	std::map<std::string, json> profiles; // by thread, sorted
	for (const Profile::Timeline &t : p.timelines()) {
		json samples = json::array(), weights = json::array();
		for (std::uint32_t id : t.stacks) {
			samples.push_back(stacks[id]);
			weights.push_back(period_s);
		}
		profiles[t.thread] = {{"type", "sampled"},
				      {"name", t.thread},
				      {"unit", "seconds"},
				      {"startValue", 0},
				      {"endValue", static_cast<double>(t.stacks.size()) * period_s},
				      {"samples", std::move(samples)},
				      {"weights", std::move(weights)}};
	}
	json list = json::array();
	for (auto &[thread, profile] : profiles)
		list.push_back(std::move(profile));
	json doc = {{"$schema", "https://www.speedscope.app/file-format-schema.json"},
		    {"shared", {{"frames", std::move(frames)}}},
		    {"profiles", std::move(list)},
		    {"name", "pystack " + meta.walker + (meta.cpu_mode ? " (cpu)" : " (wall)")},
		    {"activeProfileIndex", 0},
		    {"exporter", "pystack"}};
	// invalid UTF-8 replaced, not thrown on: the names are the target's
	out << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace pystack
