// SPDX-License-Identifier: GPL-2.0
// The profile writers: pprof decoded back from its gzip'd protobuf, and
// speedscope's JSON checked against its file-format schema's rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "profile.pb.h"
#include "test_util.hpp"
#include "writers.hpp"

using namespace pystack;

namespace {

ThreadSample thread(std::uint64_t tid, const char *name, std::vector<FrameInfo> frames, int state)
{
	static FrameTable table;
	ThreadSample t;
	t.pid = 42;
	t.tid = tid;
	t.thread = "T" + std::to_string(tid) + " [python3.11] " + name;
	for (const FrameInfo &f : frames)
		t.frames.push_back(table.get(f));
	t.state = state;
	return t;
}

Profile sample_profile()
{
	Profile p(true);
	ThreadSample main = thread(42, "MainThread",
				   {{"<module>", "a.py", 30, 1}, {"main", "a.py", 12, 10}, {"leaf", "a.py", 5, 4}},
				   PY_STATE_IDLE);
	ThreadSample worker = thread(43, "worker", {{"run", "t.py", 7, 6}}, PY_STATE_ON_CPU);
	p.add(main);
	p.add(main);
	p.add(worker);
	return p;
}

const ProfileMeta kMeta{"bpf", 1e7, false, 3e7};

} // namespace

TEST(Pprof, DecodesBackToTheSamples)
{
	std::ostringstream out;
	write_pprof(out, sample_profile(), kMeta);
	perftools::profiles::Profile p;
	ASSERT_TRUE(p.ParseFromString(gunzip(out.str())));
	auto str = [&](std::int64_t i) { return p.string_table(static_cast<int>(i)); };
	ASSERT_GT(p.string_table_size(), 0);
	EXPECT_EQ(p.string_table(0), "");
	ASSERT_EQ(p.sample_type_size(), 2);
	EXPECT_EQ(str(p.sample_type(0).type()), "samples");
	EXPECT_EQ(str(p.sample_type(1).type()), "wall");
	EXPECT_EQ(str(p.sample_type(1).unit()), "nanoseconds");
	EXPECT_EQ(p.period(), 10000000);
	ASSERT_EQ(p.sample_size(), 2);
	std::map<std::uint64_t, const perftools::profiles::Location *> locations;
	for (const auto &l : p.location())
		locations[l.id()] = &l;
	std::map<std::uint64_t, const perftools::profiles::Function *> functions;
	for (const auto &f : p.function())
		functions[f.id()] = &f;
	// a stack as "name:line" leaf first, and its labels
	auto stack = [&](const perftools::profiles::Sample &s) {
		std::string out;
		for (std::uint64_t id : s.location_id()) {
			const auto &line = locations.at(id)->line(0);
			out += str(functions.at(line.function_id())->name()) + ":" +
			       std::to_string(line.line()) + " ";
		}
		for (const auto &l : s.label())
			out += str(l.key()) + "=" + (l.str() ? str(l.str()) : std::to_string(l.num())) + " ";
		return out;
	};
	EXPECT_EQ(stack(p.sample(0)), "[idle]:0 leaf:5 main:12 <module>:30 pid=42 thread_id=42 "
				      "thread_name=T42 [python3.11] MainThread ");
	EXPECT_EQ(p.sample(0).value(0), 2);
	EXPECT_EQ(p.sample(0).value(1), 20000000);
	EXPECT_EQ(stack(p.sample(1)), "run:7 pid=42 thread_id=43 thread_name=T43 [python3.11] worker ");
	for (const auto &[id, f] : functions)
		if (str(f->name()) == "main") {
			EXPECT_EQ(str(f->filename()), "a.py");
			EXPECT_EQ(f->start_line(), 10);
		}
}

TEST(Pprof, GunzipRefusesWhatIsNotGzip)
{
	EXPECT_THROW(gunzip("not gzip at all"), std::runtime_error);
	std::string z = gzip("some bytes");
	EXPECT_EQ(gunzip(z), "some bytes");
	EXPECT_THROW(gunzip(z.substr(0, z.size() - 4)), std::runtime_error);
}

TEST(Speedscope, FollowsTheFileFormatSchema)
{
	std::ostringstream out;
	write_speedscope(out, sample_profile(), kMeta);
	nlohmann::json doc = nlohmann::json::parse(out.str());
	EXPECT_EQ(doc["$schema"], "https://www.speedscope.app/file-format-schema.json");
	const auto &frames = doc["shared"]["frames"];
	ASSERT_TRUE(frames.is_array());
	for (const auto &f : frames)
		EXPECT_TRUE(f["name"].is_string()) << f.dump();
	ASSERT_EQ(doc["profiles"].size(), 2u);
	std::map<std::string, std::string> stacks;
	for (const auto &p : doc["profiles"]) {
		EXPECT_EQ(p["type"], "sampled");
		EXPECT_EQ(p["unit"], "none");
		EXPECT_EQ(p["startValue"], 0);
		ASSERT_EQ(p["samples"].size(), p["weights"].size());
		std::uint64_t total = 0;
		std::string text;
		for (std::size_t i = 0; i < p["samples"].size(); i++) {
			total += p["weights"][i].get<std::uint64_t>();
			for (const auto &index : p["samples"][i]) {
				ASSERT_LT(index.get<std::size_t>(), frames.size());
				const auto &f = frames[index.get<std::size_t>()];
				text += f["name"].get<std::string>() +
					(f.contains("line") ? ":" + std::to_string(f["line"].get<int>()) : "") + " ";
			}
		}
		EXPECT_EQ(p["endValue"].get<std::uint64_t>(), total);
		stacks[p["name"]] = text + "x" + std::to_string(total);
	}
	EXPECT_EQ(stacks["P42 T42 [python3.11] MainThread"], "<module>:30 main:12 leaf:5 [idle] x2");
	EXPECT_EQ(stacks["P42 T43 [python3.11] worker"], "run:7 x1");
}
