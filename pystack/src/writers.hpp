// SPDX-License-Identifier: GPL-2.0
// A walker's profile as the files people load into their tools: speedscope
// JSON (nlohmann/json), pprof (perftools.profiles.Profile, protobuf,
// gzip'd with zlib) and an SVG flame graph. The collapsed form is
// Profile::write.
#pragma once

#include <sys/types.h>

#include <map>
#include <ostream>
#include <string>

#include "stacks.hpp"

namespace pystack {

struct ProfileMeta {
	std::string walker;
	double period_ns = 0; // 1e9 / rate
	bool cpu_mode = false;
	double duration_ns = 0;
	// the file of each target's interpreter (libpython or the
	// executable): pprof's mappings
	std::map<pid_t, std::string> binaries;
};

// Per thread, its stacks in the order taken, each weighing a period, in
// seconds.
void write_speedscope(std::ostream &out, const Profile &p, const ProfileMeta &meta);
// Writes the gzip'd profile.proto.
void write_pprof(std::ostream &out, const Profile &p, const ProfileMeta &meta);
// An SVG flame graph of the collapsed stacks, as flamegraph.pl draws them.
void write_flamegraph(std::ostream &out, const Profile &p, const ProfileMeta &meta);

std::string gzip(const std::string &data);
// Throws std::runtime_error on data that is not gzip.
std::string gunzip(const std::string &data);

} // namespace pystack
