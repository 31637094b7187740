// SPDX-License-Identifier: GPL-2.0
// What kfunc-test's cases are made of: the loaded program "copy" (and
// "repeat") of kmod/bpf/kfunc_test.c, one checked call of the kfunc at a
// time, and the cold file and libbpf's messages the cases look at.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace kt {

// Loads kfunc_test's programs and takes cold_file (see kfunc_cases.hpp) for
// nowait_page_cache. Returns "" or what went wrong and what to do.
std::string load_programs(std::string cold_file);

// The cold file given to load_programs(): "" if none.
const std::string &cold_file();
// What libbpf said (warnings and above) since it was last cleared.
std::string &libbpf_log();

// "-ESRCH" and so on, for messages.
const char *errname(int err);

// The program's buffer: what the last call left.
std::uint8_t *buf();

// One call of the kfunc: the buffer is filled with 0xcc up to size and
// with guard bytes after it first. Returns what the kfunc returned.
int copy(pid_t pid, std::uint64_t addr, std::uint32_t size, std::uint64_t flags = 0);

// The guard bytes after size are untouched.
void expect_guard(std::uint32_t size, const std::string &what);
// A call returns 0 and want, and writes nothing past it.
void expect_data(pid_t pid, std::uint64_t addr, const std::vector<std::uint8_t> &want,
		 std::uint64_t flags, const std::string &what);
// A call returns err with dst zeroed, and writes nothing past size.
void expect_error(pid_t pid, std::uint64_t addr, std::uint32_t size, std::uint64_t flags, int err,
		  const std::string &what);

struct Repeat {
	std::uint32_t ok, eagain, other;
	std::int32_t last_other;
	double ns_per_call;
};

// n calls in one BPF_PROG_RUN (bpf_loop), timed.
Repeat repeat(pid_t pid, std::uint64_t addr, std::uint32_t size, std::uint64_t flags, std::uint32_t n);

// The bytes at offset off of a map_pattern(.., seed) mapping.
std::vector<std::uint8_t> slice(std::uint64_t seed, std::size_t off, std::size_t n);

inline std::uint64_t addr_of(const void *p)
{
	return reinterpret_cast<std::uint64_t>(p);
}

// A target holding pages pages of the pattern of seed; value(0) is their
// address.
std::vector<std::uint64_t> hold_pattern(std::size_t pages, std::uint64_t seed);

// "  note: s" on stdout, at once.
void note(const std::string &s);

} // namespace kt
