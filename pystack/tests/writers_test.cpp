// SPDX-License-Identifier: GPL-2.0
// The profile writers: frames as the outputs name them, pprof decoded back
// from its gzip'd protobuf, speedscope's JSON checked against its
// file-format schema's rules and for its time order, the collapsed file
// and the SVG flame graph. (tests/pystack-tools.sh loads a live run's
// files into pprof, speedscope's importer and flamegraph.pl.)
#include <gtest/gtest.h>

#include <chrono>
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

FrameInfo frame(const char *name, const char *file, int line, int first, const char *qualname = "")
{
	return {name, file, line, first, qualname};
}

Profile sample_profile()
{
	Profile p(true);
	ThreadSample main =
		thread(42, "MainThread",
		       {frame("<module>", "/srv/app/a.py", 30, 1),
			frame("main", "/srv/app/a.py", 12, 10), frame("leaf", "/srv/app/a.py", 5, 4)},
		       PY_STATE_IDLE);
	ThreadSample worker = thread(43, "worker", {frame("run", "/usr/lib/python3.11/t.py", 7, 6)},
				     PY_STATE_ON_CPU);
	p.add(main);
	p.add(main);
	p.add(worker);
	return p;
}

const ProfileMeta kMeta{"bpf", 1e7, false, 3e7, {{42, "/usr/lib/libpython3.11.so.1.0"}}};

} // namespace

TEST(FrameNames, AreFunctionAndShortFileAndLine)
{
	EXPECT_EQ(frame("<module>", "/srv/app/a.py", 30, 1).label(), "<module> (a.py:30)");
	EXPECT_EQ(frame("<listcomp>", "b.py", 3, 3).label(), "<listcomp> (b.py:3)");
	EXPECT_EQ(frame("run", "/srv/app/a.py", 0, 1).label(), "run (a.py)") << "no line when unknown";
	EXPECT_EQ(frame("?", "?", 0, 0).label(), "?");
	// the qualified name when known; --expect's form is the old one, always
	FrameInfo f = frame("run", "/srv/app/a.py", 12, 10, "Worker.run");
	EXPECT_EQ(f.label(), "Worker.run (a.py:12)");
	EXPECT_EQ(f.str(), "/srv/app/a.py:run:12");
	EXPECT_EQ(short_file("/usr/lib/python3.11/json/__init__.py"), "json/__init__.py");
	EXPECT_EQ(short_file("/srv/app/__main__.py"), "app/__main__.py");
	EXPECT_EQ(short_file("<frozen importlib._bootstrap>"), "<frozen importlib._bootstrap>");
}

TEST(Collapsed, NamesFramesAsFlameGraphsShowThem)
{
	std::ostringstream out;
	sample_profile().write(out);
	EXPECT_EQ(out.str(), "P42;T42 [python3.11] MainThread;<module> (a.py:30);main (a.py:12);"
			     "leaf (a.py:5);[idle] 2\n"
			     "P42;T43 [python3.11] worker;run (t.py:7) 1\n");
	// two files of one short name, same function and line: one line
	Profile p;
	p.add(thread(7, "x", {frame("f", "/a/u.py", 1, 1)}, PY_STATE_ON_CPU));
	p.add(thread(7, "x", {frame("f", "/b/u.py", 1, 1)}, PY_STATE_ON_CPU));
	out.str("");
	p.write(out);
	EXPECT_EQ(out.str(), "P42;T7 [python3.11] x;f (u.py:1) 2\n");
}

namespace {

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
	EXPECT_EQ(p.duration_nanos(), 30000000);
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
			out += str(l.key()) + "=" +
			       (l.str() ? str(l.str()) : std::to_string(l.num())) + " ";
		return out;
	};
	EXPECT_EQ(stack(p.sample(0)), "[idle]:0 leaf:5 main:12 <module>:30 pid=42 thread_id=42 "
				      "thread_name=T42 [python3.11] MainThread ");
	EXPECT_EQ(p.sample(0).value(0), 2);
	EXPECT_EQ(p.sample(0).value(1), 20000000);
	EXPECT_EQ(stack(p.sample(1)), "run:7 pid=42 thread_id=43 thread_name=T43 [python3.11] worker ");
	for (const auto &[id, f] : functions) {
		// pprof demangles a system_name equal to the name, and shows
		// <module> as <unknown>
		EXPECT_NE(str(f->system_name()), str(f->name()));
		if (str(f->name()) == "main") {
			EXPECT_EQ(str(f->filename()), "/srv/app/a.py");
			EXPECT_EQ(f->start_line(), 10);
		}
	}
	// the interpreter's file, symbolized already, under every location
	ASSERT_EQ(p.mapping_size(), 1);
	const auto &m = p.mapping(0);
	EXPECT_EQ(str(m.filename()), "/usr/lib/libpython3.11.so.1.0");
	EXPECT_TRUE(m.has_functions() && m.has_filenames() && m.has_line_numbers());
	for (const auto &[id, l] : locations)
		EXPECT_EQ(l->mapping_id(), m.id());
}

TEST(Pprof, HasTheStartTimeAndQualifiedNames)
{
	auto now = [] {
		return std::chrono::duration_cast<std::chrono::nanoseconds>(
			       std::chrono::system_clock::now().time_since_epoch())
			.count();
	};
	std::int64_t before = now();
	Profile prof;
	prof.add(thread(7, "x", {frame("run", "/a/u.py", 3, 1, "Worker.run")}, PY_STATE_ON_CPU));
	std::int64_t after = now();
	std::ostringstream out;
	write_pprof(out, prof, {"austin", 1e7, false, 1e7, {}});
	perftools::profiles::Profile p;
	ASSERT_TRUE(p.ParseFromString(gunzip(out.str())));
	EXPECT_GE(p.time_nanos(), before);
	EXPECT_LE(p.time_nanos(), after);
	ASSERT_EQ(p.function_size(), 1);
	EXPECT_EQ(p.string_table(static_cast<int>(p.function(0).name())), "Worker.run");
	ASSERT_EQ(p.mapping_size(), 1) << "a mapping even for a pid of no known interpreter";
	EXPECT_EQ(p.string_table(static_cast<int>(p.mapping(0).filename())), "python");
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
		EXPECT_EQ(p["unit"], "seconds");
		EXPECT_EQ(p["startValue"], 0);
		ASSERT_EQ(p["samples"].size(), p["weights"].size());
		double total = 0;
		std::string text;
		for (std::size_t i = 0; i < p["samples"].size(); i++) {
			EXPECT_DOUBLE_EQ(p["weights"][i].get<double>(), 0.01);
			total += p["weights"][i].get<double>();
			for (const auto &index : p["samples"][i]) {
				ASSERT_LT(index.get<std::size_t>(), frames.size());
				const auto &f = frames[index.get<std::size_t>()];
				text += f["name"].get<std::string>() +
					(f.contains("line")
						 ? ":" + std::to_string(f["line"].get<int>())
						 : "") +
					" ";
			}
		}
		EXPECT_DOUBLE_EQ(p["endValue"].get<double>(), total);
		stacks[p["name"]] = text + "| " + std::to_string(p["samples"].size());
	}
	EXPECT_EQ(stacks["P42 T42 [python3.11] MainThread"],
		  "<module> (a.py:30):30 main (a.py:12):12 leaf (a.py:5):5 [idle] "
		  "<module> (a.py:30):30 main (a.py:12):12 leaf (a.py:5):5 [idle] | 2");
	EXPECT_EQ(stacks["P42 T43 [python3.11] worker"], "run (t.py:7):7 | 1");
	for (const auto &f : frames) {
		if (f["name"] == "main (a.py:12)") {
			EXPECT_EQ(f["file"], "/srv/app/a.py")
				<< "the full path where the format has room";
		}
	}
}

// Each thread's samples as they were taken, not sorted by their stacks:
// speedscope's "Time Order" view.
TEST(Speedscope, KeepsTheOrderTheSamplesWereTaken)
{
	Profile prof;
	const char *order[] = {"zeta", "alpha", "zeta", "mid", "alpha"};
	for (const char *name : order) {
		prof.add(thread(7, "x",
				{frame("<module>", "/a/m.py", 1, 1), frame(name, "/a/m.py", 2, 2)},
				PY_STATE_ON_CPU));
		prof.add(thread(8, "y", {frame("other", "/a/m.py", 3, 3)}, PY_STATE_ON_CPU));
	}
	std::ostringstream out;
	write_speedscope(out, prof, kMeta);
	nlohmann::json doc = nlohmann::json::parse(out.str());
	const auto &frames = doc["shared"]["frames"];
	ASSERT_EQ(doc["profiles"].size(), 2u);
	const auto &p = doc["profiles"][0];
	EXPECT_EQ(p["name"], "P42 T7 [python3.11] x");
	std::string leaves;
	for (const auto &stack : p["samples"])
		leaves += frames[stack.back().get<std::size_t>()]["name"].get<std::string>() + " ";
	EXPECT_EQ(leaves, "zeta (m.py:2) alpha (m.py:2) zeta (m.py:2) mid (m.py:2) alpha (m.py:2) ");
	EXPECT_DOUBLE_EQ(p["endValue"].get<double>(), 0.05);
}

// Names that are not UTF-8 (from before to_utf8 replaced lone
// surrogates, or any other way) must not stop the file being written.
TEST(Speedscope, WritesNamesThatAreNoUtf8)
{
	std::ostringstream out;
	Profile prof = sample_profile();
	prof.add(thread(45, "bad", {frame("f\xed\xb3\xbf", "/a/\xff.py", 2, 1)}, PY_STATE_ON_CPU));
	EXPECT_NO_THROW(write_speedscope(out, prof, kMeta));
	nlohmann::json doc = nlohmann::json::parse(out.str());
	EXPECT_EQ(doc["profiles"].size(), 3u);
}

TEST(FlameGraph, DrawsEveryFrameAsValidSvg)
{
	std::ostringstream out;
	Profile prof = sample_profile();
	prof.add(thread(44, "lambda & co", {frame("<lambda>", "/a/b.py", 9, 9)}, PY_STATE_ON_CPU));
	write_flamegraph(out, prof, kMeta);
	std::string svg = out.str();
	EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
	EXPECT_NE(svg.find("<svg "), std::string::npos);
	EXPECT_NE(svg.find("</svg>"), std::string::npos);
	// every frame a box with its tooltip; names escaped
	for (const char *title :
	     {"all (4 samples, 100.00%)", "P42 (4 samples, 100.00%)",
	      "&lt;module&gt; (a.py:30) (2 samples, 50.00%)", "leaf (a.py:5) (2 samples",
	      "[idle] (2 samples", "run (t.py:7) (1 samples, 25.00%)",
	      "T44 [python3.11] lambda &amp; co (1 samples", "&lt;lambda&gt; (b.py:9) (1 samples"})
		EXPECT_NE(svg.find("<title>" + std::string(title)), std::string::npos) << title;
	EXPECT_EQ(svg.find("<module>"), std::string::npos) << "an unescaped name";
	EXPECT_EQ(svg.find("& "), std::string::npos) << "an unescaped &";
	std::size_t rects = 0;
	for (std::size_t at = 0; (at = svg.find("<rect x=", at)) != std::string::npos; at++)
		rects++;
	// the background, all, P42, 3 threads, 3 + 1 + 1 frames, [idle]
	EXPECT_EQ(rects, 1u + 1 + 1 + 3 + 5 + 1);
}
