// SPDX-License-Identifier: GPL-2.0
#include "meminfo.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <tuple>
#include <vector>

#include "strf.hpp"

namespace cfur::rel {

Meminfo read_meminfo()
{
	Meminfo m;
	std::ifstream in("/proc/meminfo");
	std::string key;
	long kib;
	while (in >> key >> kib) {
		if (key.ends_with(':'))
			key.pop_back();
		m[key] = kib;
		in.ignore(256, '\n');
	}
	return m;
}

std::string meminfo_moves(const Meminfo &before, const Meminfo &after, long min_kib)
{
	std::string out;
	for (const auto &[key, kib] : after) {
		auto b = before.find(key);
		long d = kib - (b == before.end() ? 0 : b->second);
		if (std::labs(d) >= min_kib)
			out += strf("%s%s %+ld KiB", out.empty() ? "" : ", ", key.c_str(), d);
	}
	return out.empty() ? "none" : out;
}

std::string big_processes(long min_kib)
{
	// (resident KiB, pid, name, state)
	std::vector<std::tuple<long, std::string, std::string, std::string>> big;
	// Error codes, not exceptions: processes come and go under /proc.
	std::error_code ec;
	for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
	     it.increment(ec)) {
		const auto &e = *it;
		auto pid = e.path().filename().string();
		if (pid.find_first_not_of("0123456789") != std::string::npos)
			continue;
		// "Key:\tvalue" lines; a process gone meanwhile reads as empty.
		std::ifstream in(e.path() / "status");
		std::string line, name, state;
		long rss = 0;
		while (std::getline(in, line)) {
			auto colon = line.find(':');
			if (colon == std::string::npos)
				continue;
			auto key = line.substr(0, colon);
			auto start = line.find_first_not_of(" \t", colon + 1);
			auto value = start == std::string::npos ? std::string() : line.substr(start);
			if (key == "Name")
				name = value;
			else if (key == "State")
				state = value.substr(0, 1);
			else if (key == "VmRSS")
				rss = std::atol(value.c_str());
		}
		if (rss >= min_kib)
			big.emplace_back(rss, pid, name, state);
	}
	std::sort(big.rbegin(), big.rend());
	std::string out;
	for (const auto &[rss, pid, name, state] : big)
		out += strf("%spid %s %s (%s) %ld KiB", out.empty() ? "" : ", ", pid.c_str(),
			    name.c_str(), state.c_str(), rss);
	return out.empty() ? "none" : out;
}

} // namespace cfur::rel
