// SPDX-License-Identifier: GPL-2.0
// What a failed leak check prints to say where the memory went: the
// /proc/meminfo fields that moved, and the processes that hold the most.
#pragma once

#include <map>
#include <string>

namespace cfur::rel {

// /proc/meminfo, in KiB by field name.
using Meminfo = std::map<std::string, long>;

Meminfo read_meminfo();

// "AnonPages +524288 KiB, MemFree -530000 KiB, ...": the fields that moved
// by at least min_kib between before and after.
std::string meminfo_moves(const Meminfo &before, const Meminfo &after, long min_kib);

// "pid 311 cfur-leak (S) 12345 KiB, ...": the processes with at least
// min_kib resident, largest first.
std::string big_processes(long min_kib);

} // namespace cfur::rel
