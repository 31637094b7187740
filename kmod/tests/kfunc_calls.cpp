// SPDX-License-Identifier: GPL-2.0
#include "kfunc_calls.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "harness.hpp"
#include "kfunc_test.skel.h"
#include "kfunc_test_args.h"
#include "helper_probe.hpp"
#include "libbpf_log.hpp"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace kt {

using cfur::strf;

namespace {

struct Env {
	cfur::SkelPtr<kfunc_test> skel;
	std::string cold_file;
};
Env g;

// Runs prog once with args as its context, which BPF_PROG_RUN copies back
// to args for a syscall program.
template <typename Args>
void run_with(bpf_program *prog, Args &args)
{
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.ctx_in = &args;
	opts.ctx_size_in = sizeof(args);
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		fail(strf("BPF_PROG_RUN: %s", std::strerror(errno)));
}

} // namespace

std::string load_programs(std::string cold_file)
{
	g.cold_file = std::move(cold_file);
	libbpf_set_print(cfur::keep_libbpf_message);
	if (!cfur::kernel_has_kfunc_module())
		return strf("the module is not loaded (no %s): insmod copy_from_user_pid.ko first",
			    cfur::kKfuncModuleBtf);
	g.skel.reset(kfunc_test::open_and_load());
	if (!g.skel) {
		int err = errno;
		return strf("cannot load the test program (%s); libbpf said:\n%s\n"
			    "Run as root, with copy_from_user_pid.ko loaded.",
			    std::strerror(err), cfur::libbpf_messages().c_str());
	}
	return {};
}

const std::string &cold_file()
{
	return g.cold_file;
}

std::string &libbpf_log()
{
	return cfur::libbpf_messages();
}

const char *errname(int err)
{
	switch (-err) {
	case 0:
		return "0";
	case ESRCH:
		return "-ESRCH";
	case EFAULT:
		return "-EFAULT";
	case EAGAIN:
		return "-EAGAIN";
	case EPERM:
		return "-EPERM";
	case EINVAL:
		return "-EINVAL";
	case E2BIG:
		return "-E2BIG";
	default:
		return "another error";
	}
}

std::uint8_t *buf()
{
	return reinterpret_cast<std::uint8_t *>(g.skel->bss->buf);
}

int copy(pid_t pid, std::uint64_t addr, std::uint32_t size, std::uint64_t flags)
{
	std::memset(buf(), 0xcc, size);
	std::memset(buf() + size, KT_GUARD_BYTE, KT_GUARD);
	kt_args args{};
	args.addr = addr;
	args.flags = flags;
	args.pid = pid;
	args.size = size;
	run_with(g.skel->progs.copy, args);
	return args.ret;
}

void expect_guard(std::uint32_t size, const std::string &what)
{
	for (std::size_t i = 0; i < KT_GUARD; i++)
		expect(buf()[size + i] == KT_GUARD_BYTE,
		       strf("%s: byte %zu past the %u-byte buffer was written (0x%02x)",
			    what.c_str(), i, size, buf()[size + i]));
}

void expect_data(pid_t pid, std::uint64_t addr, const std::vector<std::uint8_t> &want,
		 std::uint64_t flags, const std::string &what)
{
	auto size = static_cast<std::uint32_t>(want.size());
	int r = copy(pid, addr, size, flags);
	expect(r == 0, strf("%s: returned %d (%s), expected 0", what.c_str(), r, errname(r)));
	auto [w, b] = std::mismatch(want.begin(), want.end(), buf());
	expect(w == want.end(), strf("%s: byte %zd of %u differs: 0x%02x, expected 0x%02x",
				     what.c_str(), w - want.begin(), size, *b, *w));
	expect_guard(size, what);
}

void expect_error(pid_t pid, std::uint64_t addr, std::uint32_t size, std::uint64_t flags, int err,
		  const std::string &what)
{
	int r = copy(pid, addr, size, flags);
	expect(r == err,
	       strf("%s: returned %d (%s), expected %s", what.c_str(), r, errname(r), errname(err)));
	auto *nz = std::find_if(buf(), buf() + size, [](std::uint8_t c) { return c != 0; });
	expect(nz == buf() + size, strf("%s: dst not zeroed: byte %zd of %u is 0x%02x",
					what.c_str(), nz - buf(), size, *nz));
	expect_guard(size, what);
}

Repeat repeat(pid_t pid, std::uint64_t addr, std::uint32_t size, std::uint64_t flags, std::uint32_t n)
{
	kt_repeat_args args{};
	args.addr = addr;
	args.flags = flags;
	args.pid = pid;
	args.size = size;
	args.n = n;
	auto start = std::chrono::steady_clock::now();
	run_with(g.skel->progs.repeat, args);
	std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
	return {args.ok, args.eagain, args.other, args.last_other, took.count() / n};
}

std::vector<std::uint8_t> slice(std::uint64_t seed, std::size_t off, std::size_t n)
{
	std::vector<std::uint8_t> v(n);
	for (std::size_t i = 0; i < n; i++)
		v[i] = pattern_byte(seed, off + i);
	return v;
}

std::vector<std::uint64_t> hold_pattern(std::size_t pages, std::uint64_t seed)
{
	return {addr_of(map_pattern(pages, seed))};
}

void note(const std::string &s)
{
	std::printf("  note: %s\n", s.c_str());
	std::fflush(stdout);
}

} // namespace kt
