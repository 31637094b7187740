// SPDX-License-Identifier: GPL-2.0
// A walker's profile as the files people load into their tools: speedscope
// JSON (nlohmann/json) and pprof (perftools.profiles.Profile, protobuf,
// gzip'd with zlib). The collapsed form is Profile::write.
#pragma once

#include <ostream>
#include <string>

#include "stacks.hpp"

namespace pystack {

struct ProfileMeta {
	std::string walker;
	double period_ns = 0;	// 1e9 / rate
	bool cpu_mode = false;
	double duration_ns = 0;
};

void write_speedscope(std::ostream &out, const Profile &p, const ProfileMeta &meta);
// Writes the gzip'd profile.proto.
void write_pprof(std::ostream &out, const Profile &p, const ProfileMeta &meta);

std::string gzip(const std::string &data);
// Throws std::runtime_error on data that is not gzip.
std::string gunzip(const std::string &data);

} // namespace pystack
