// SPDX-License-Identifier: GPL-2.0
// speedscope's file format (https://www.speedscope.app/file-format-schema.json):
// one "sampled" profile per thread, frames shared, each distinct stack a
// sample weighted by its count.
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
	struct Thread {
		json samples = json::array(), weights = json::array();
		std::uint64_t total = 0;
	};
	std::map<std::string, Thread> threads;
	for (const auto &[key, entry] : p.entries()) {
		const Profile::Entry &e = *entry;
		json stack = json::array();
		for (const FrameInfo *f : e.stack.frames)
			stack.push_back(frame_id(f->name, f->file, f->line));
		if (p.idle_marker() && e.stack.idle())
			stack.push_back(frame_id(kIdleFrame, "", 0));
		Thread &t = threads["P" + std::to_string(e.stack.pid) + " " + e.stack.thread];
		t.samples.push_back(std::move(stack));
		t.weights.push_back(e.count);
		t.total += e.count;
	}
	json profiles = json::array();
	for (auto &[name, t] : threads)
		profiles.push_back({{"type", "sampled"},
				    {"name", name},
				    {"unit", "none"},
				    {"startValue", 0},
				    {"endValue", t.total},
				    {"samples", std::move(t.samples)},
				    {"weights", std::move(t.weights)}});
	json doc = {{"$schema", "https://www.speedscope.app/file-format-schema.json"},
		    {"shared", {{"frames", std::move(frames)}}},
		    {"profiles", std::move(profiles)},
		    {"name", "pystack " + meta.walker + (meta.cpu_mode ? " (cpu)" : " (wall)")},
		    {"activeProfileIndex", 0},
		    {"exporter", "pystack"}};
	out << doc.dump() << '\n';
}

} // namespace pystack
