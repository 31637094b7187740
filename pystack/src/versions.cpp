// SPDX-License-Identifier: GPL-2.0
#include "versions.hpp"

namespace pystack {
namespace {

const std::vector<const VersionSpec *> &all_versions()
{
	static const std::vector<const VersionSpec *> all = {&py311(), &py312(), &py313()};
	return all;
}

} // namespace

const VersionSpec *find_version(int major, int minor)
{
	if (major != 3)
		return nullptr;
	for (const VersionSpec *v : all_versions())
		if (v->minor == minor)
			return v;
	return nullptr;
}

std::string supported_versions()
{
	std::string out;
	const auto &all = all_versions();
	for (std::size_t i = 0; i < all.size(); i++)
		out += std::string(i == 0		 ? ""
				   : i + 1 == all.size() ? " and "
							 : ", ") +
		       all[i]->name;
	return out;
}

} // namespace pystack
