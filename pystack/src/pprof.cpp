// SPDX-License-Identifier: GPL-2.0
// pprof's profile.proto, gzip'd: a Function per (file, function), a
// Location per line of one in a target's interpreter (its Mapping: the
// file, symbolized already), a Sample per distinct stack (leaf first) with
// its count and time, labelled with the pid, thread id and thread name;
// the start time and the duration. A Function's system_name is left
// empty: pprof takes a name equal to it for a C++ symbol to demangle, and
// shows <module> or <lambda> as <unknown>.
#include <zlib.h>

#include <map>
#include <stdexcept>
#include <tuple>

#include "profile.pb.h"
#include "writers.hpp"

namespace pystack {
namespace {

class StringTable {
public:
	explicit StringTable(perftools::profiles::Profile &p) : p_(p) { id(""); }
	std::int64_t id(const std::string &s)
	{
		auto [it, added] = ids_.try_emplace(s, p_.string_table_size());
		if (added)
			p_.add_string_table(s);
		return it->second;
	}

private:
	perftools::profiles::Profile &p_;
	std::map<std::string, std::int64_t> ids_;
};

std::string zlib_run(const std::string &in, bool compress)
{
	z_stream z{};
	int ret = compress ? deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
					  Z_DEFAULT_STRATEGY)
			   : inflateInit2(&z, 15 + 16);
	if (ret != Z_OK)
		throw std::runtime_error("zlib cannot start");
	std::string out;
	char buf[16384];
	z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
	z.avail_in = static_cast<uInt>(in.size());
	do {
		z.next_out = reinterpret_cast<Bytef *>(buf);
		z.avail_out = sizeof(buf);
		ret = compress ? deflate(&z, Z_FINISH) : inflate(&z, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END) {
			compress ? deflateEnd(&z) : inflateEnd(&z);
			throw std::runtime_error("not gzip data");
		}
		out.append(buf, sizeof(buf) - z.avail_out);
	} while (ret != Z_STREAM_END && (z.avail_in > 0 || z.avail_out == 0));
	compress ? deflateEnd(&z) : inflateEnd(&z);
	if (ret != Z_STREAM_END)
		throw std::runtime_error("gzip data ends early");
	return out;
}

} // namespace

std::string gzip(const std::string &data)
{
	return zlib_run(data, true);
}
std::string gunzip(const std::string &data)
{
	return zlib_run(data, false);
}

void write_pprof(std::ostream &out, const Profile &p, const ProfileMeta &meta)
{
	perftools::profiles::Profile prof;
	StringTable str(prof);
	const char *time_type = meta.cpu_mode ? "cpu" : "wall";
	auto *samples = prof.add_sample_type();
	samples->set_type(str.id("samples"));
	samples->set_unit(str.id("count"));
	auto *time = prof.add_sample_type();
	time->set_type(str.id(time_type));
	time->set_unit(str.id("nanoseconds"));
	prof.mutable_period_type()->set_type(str.id(time_type));
	prof.mutable_period_type()->set_unit(str.id("nanoseconds"));
	prof.set_period(static_cast<std::int64_t>(meta.period_ns));
	prof.set_duration_nanos(static_cast<std::int64_t>(meta.duration_ns));
	prof.set_time_nanos(p.start_unix_ns());
	prof.add_comment(str.id("pystack, walker " + meta.walker));

	// a Mapping per interpreter file, made when a location needs it
	std::map<std::string, std::uint64_t> mappings;
	auto mapping = [&](pid_t pid) {
		auto b = meta.binaries.find(pid);
		const std::string file = b != meta.binaries.end() ? b->second : "python";
		auto [it, added] = mappings.try_emplace(file, mappings.size() + 1);
		if (added) {
			auto *m = prof.add_mapping();
			m->set_id(it->second);
			m->set_filename(str.id(file));
			m->set_has_functions(true);
			m->set_has_filenames(true);
			m->set_has_line_numbers(true);
		}
		return it->second;
	};
	std::map<std::tuple<std::string, std::string>, std::uint64_t> functions;
	std::map<std::tuple<std::uint64_t, std::uint64_t, int>, std::uint64_t> locations;
	auto location = [&](std::uint64_t map, const std::string &name, const std::string &file,
			    int firstline, int line) {
		auto [fit, fadded] = functions.try_emplace({name, file}, functions.size() + 1);
		if (fadded) {
			auto *f = prof.add_function();
			f->set_id(fit->second);
			f->set_name(str.id(name));
			f->set_filename(str.id(file));
			f->set_start_line(firstline);
		}
		auto [lit, ladded] =
			locations.try_emplace({map, fit->second, line}, locations.size() + 1);
		if (ladded) {
			auto *l = prof.add_location();
			l->set_id(lit->second);
			l->set_mapping_id(map);
			auto *ln = l->add_line();
			ln->set_function_id(fit->second);
			ln->set_line(line);
		}
		return lit->second;
	};
	for (const auto &[key, entry] : p.entries()) {
		const Profile::Entry &e = *entry;
		auto *s = prof.add_sample();
		std::uint64_t map = mapping(e.stack.pid);
		if (p.idle_marker() && e.stack.idle())
			s->add_location_id(location(map, kIdleFrame, "", 0, 0));
		for (auto f = e.stack.frames.rbegin(); f != e.stack.frames.rend(); ++f) {
			const FrameInfo &fi = **f;
			s->add_location_id(location(map, fi.function(), fi.file == "?" ? "" : fi.file,
						    fi.firstlineno, fi.line));
		}
		s->add_value(static_cast<std::int64_t>(e.count));
		s->add_value(static_cast<std::int64_t>(e.count * meta.period_ns));
		auto label = [&](const char *k) {
			auto *l = s->add_label();
			l->set_key(str.id(k));
			return l;
		};
		label("pid")->set_num(e.stack.pid);
		label("thread_id")->set_num(static_cast<std::int64_t>(e.stack.tid));
		label("thread_name")->set_str(str.id(e.stack.thread));
	}
	std::string bytes;
	if (!prof.SerializeToString(&bytes))
		throw std::runtime_error("serializing the pprof profile failed");
	out << gzip(bytes);
}

} // namespace pystack
