// SPDX-License-Identifier: GPL-2.0
// cfur-fuzz: calls bpf_copy_from_user_remote with random pids, addresses
// and sizes, and checks every result against the contract: the exact
// return value the case calls for, the target's bytes on success, a zeroed
// dst on error, nothing written past size. With --via kfunc it calls
// bpf_copy_from_user_pid instead, and fuzzes its flags too (--flags fuzz):
// unknown bits must give -EINVAL, BPF_F_COPY_NOWAIT the result of flags 0
// or -EAGAIN, dst zeroed on each error.
//
// Usage: cfur-fuzz [--calls N] [--seed N] [--via helper|kfunc]
//                  [--flags fuzz|0|nowait|mixed]
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "cli.hpp"
#include "command_line.hpp"
#include "contract.hpp"
#include "flags.hpp"
#include "fuzz_tally.hpp"
#include "layout.hpp"
#include "reap.hpp"
#include "reader.hpp"
#include "region.hpp"
#include "strf.hpp"

namespace cfur::rel {
namespace {

// A child process that holds the region (inherited) and one extra thread.
struct Child {
	pid_t pid = -1;
	~Child() { stop(); }

	// False if it did not exit after SIGKILL (stuck on a leaked mmap_lock).
	bool stop()
	{
		bool gone = pid <= 0 || kill_and_reap(pid);
		pid = -1;
		return gone;
	}
};

// With the kfunc, the target and the fuzzer itself have every other
// readable page of the layout mapped, so that BPF_F_COPY_NOWAIT meets pages
// it reads and pages it must refuse (-EAGAIN) alike. The helper's run is
// left as it was: every page faulted in by the read.
void touch_half_of_layout()
{
	for (std::size_t p = 0; p < kFuzzLayout.size(); p += 2)
		if (kFuzzLayout[p] == 'R')
			touch_page(p);
}

pid_t spawn_target(Child &c, pid_t *tid_out, bool touch)
{
	// The thread's tid comes back through a shared page.
	auto *tid = static_cast<pid_t *>(
		mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	if (tid == MAP_FAILED)
		throw std::runtime_error("mmap");
	*tid = 0;
	c.pid = fork();
	if (c.pid < 0)
		throw std::runtime_error(strf("fork: %s", std::strerror(errno)));
	if (c.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (touch)
			touch_half_of_layout();
		std::thread t([tid] {
			__atomic_store_n(tid, gettid(), __ATOMIC_SEQ_CST);
			for (;;)
				pause();
		});
		for (;;)
			pause();
	}
	for (int i = 0; i < 5000 && !__atomic_load_n(tid, __ATOMIC_SEQ_CST); ++i)
		usleep(1000);
	*tid_out = __atomic_load_n(tid, __ATOMIC_SEQ_CST);
	munmap(tid, kPage);
	if (!*tid_out)
		throw std::runtime_error("the target's thread did not start");
	return c.pid;
}

pid_t make_zombie(Child &c)
{
	c.pid = fork();
	if (c.pid < 0)
		throw std::runtime_error(strf("fork: %s", std::strerror(errno)));
	if (c.pid == 0)
		_exit(0);
	// Wait until it is a zombie, without reaping it.
	siginfo_t si{};
	waitid(P_PID, static_cast<id_t>(c.pid), &si, WEXITED | WNOWAIT);
	return c.pid;
}

pid_t make_dead_pid()
{
	pid_t p = fork();
	if (p < 0)
		throw std::runtime_error(strf("fork: %s", std::strerror(errno)));
	if (p == 0)
		_exit(0);
	waitpid(p, nullptr, 0);
	return p;
}

bool is_kthreadd(pid_t pid)
{
	std::ifstream f(strf("/proc/%d/comm", pid));
	std::string comm;
	return std::getline(f, comm) && comm == "kthreadd";
}

struct PidCase {
	std::string cls;
	pid_t pid;
	bool live; // holds the layout
};

struct Fuzzer {
	RemoteReader &reader;
	std::mt19937_64 rng;
	std::vector<PidCase> pids;
	Tally tally;
	unsigned slot = 0;
	FlagMode flag_mode = FlagMode::Zero;

	std::uint64_t rand(std::uint64_t n) { return rng() % n; }

	// The kfunc's flags for the next call. Only --flags fuzz draws them
	// (so that the helper's calls for a seed stay what they were): 0 half
	// the time, BPF_F_COPY_NOWAIT 3/8, unknown bits 1/8.
	std::uint64_t pick_flags()
	{
		if (flag_mode != FlagMode::Fuzz)
			return flags_for(flag_mode, tally.calls);
		switch (rand(8)) {
		case 0:
		case 1:
		case 2:
			return kCopyNowait;
		case 3:
			if (rand(2)) // one unknown bit, with or without the known one
				return (1ULL << (1 + rand(63))) | (rand(2) ? kCopyNowait : 0);
			if (std::uint64_t f = rng(); f & ~kCopyKnownFlags)
				return f;
			return 1ULL << 63;
		default:
			return 0;
		}
	}

	// An address and size of a random kind; the expected result follows
	// from the layout for a live process.
	std::pair<std::uint64_t, std::uint32_t> pick_range()
	{
		static constexpr std::array<std::uint64_t, 9> special = {
			0x0,
			0x10,
			0x7ffffffff000ULL, // the top user page, never mapped here
			0x800000000000ULL, // the first non-canonical address
			0x8000000000000000ULL,
			0xffff888000000000ULL, // the kernel's direct map
			0xffffffff81000000ULL, // kernel text
			0xfffffffffffff000ULL, // wraps around with most sizes
			0x0000fffffffff000ULL,
		};
		std::uint32_t size;
		switch (rand(6)) {
		case 0:
			size = 0;
			break;
		case 1:
			size = static_cast<std::uint32_t>(1 + rand(16));
			break;
		case 2:
			size = static_cast<std::uint32_t>(1 + rand(RemoteReader::kSlotSize));
			break;
		case 3:
			size = std::array<std::uint32_t, 4>{4096, 4097, 8192, 16384}[rand(4)];
			break;
		default:
			size = static_cast<std::uint32_t>(1 + rand(512));
		}
		std::uint64_t span = kFuzzLayout.size() * kPage, addr;
		switch (rand(4)) {
		case 0: // anywhere in the region
			addr = kRegionBase + rand(span);
			break;
		case 1: // just before a page boundary
			addr = page_addr(rand(kFuzzLayout.size())) - rand(33);
			if (addr < kRegionBase)
				addr = kRegionBase;
			break;
		case 2: // beyond user space, or no user address at all
			addr = special[rand(special.size())] + rand(64);
			break;
		default: // a non-canonical or kernel-half address
			addr = rng() | (1ULL << 63);
		}
		if (addr - kRegionBase < span && addr + size > kRegionBase + span)
			size = static_cast<std::uint32_t>(kRegionBase + span - addr); // stay modelled
		return {addr, size};
	}

	void one()
	{
		const PidCase &pc = pids[rand(pids.size())];
		auto [addr, size] = pick_range();
		std::uint64_t flags = pick_flags();
		// What flags 0 gives; check_call() knows what the flags change.
		long expect = size == 0 ? 0
			      : pc.live ? expected_in_layout(kFuzzLayout, addr, size)
					: -ESRCH;
		long ret = reader.read(slot, pc.pid, addr, size, flags);
		Call c{ret, addr, size, reader.slot(slot), kPoison, expect, flags};
		std::string what = strf("pid %d (%s) addr %#llx size %u", pc.pid, pc.cls.c_str(),
					static_cast<unsigned long long>(addr), size);
		if (flags)
			what += strf(" flags %#llx", static_cast<unsigned long long>(flags));
		tally.add(pc.cls, flags_class(flags), check_call(c), what);
	}
};

// From a new pid namespace: the target's pid (as the parent sees it) names
// nobody there, and pid 1 is the caller itself, which holds the layout.
// Returns the child's tally line through a pipe.
void foreign_namespace(RemoteReader &reader, FlagMode flag_mode, pid_t target, unsigned calls,
		       Tally &tally)
{
	int fds[2];
	if (pipe(fds))
		throw std::runtime_error("pipe");
	if (unshare(CLONE_NEWPID)) {
		tally.problems.push_back(strf("unshare(CLONE_NEWPID): %s: the foreign-namespace "
					      "case did not run",
					      std::strerror(errno)));
		++tally.wrong;
		return;
	}
	pid_t child = fork(); // pid 1 of the new namespace
	if (child == 0) {
		close(fds[0]);
		Fuzzer f{reader, std::mt19937_64(7), {}, {}, 1, flag_mode};
		f.pids = {{"foreign-ns", target, false}, {"ns-self", 1, true}};
		if (target == 1)
			f.pids.erase(f.pids.begin());
		for (unsigned i = 0; i < calls; ++i)
			f.one();
		std::string out = f.tally.to_text();
		if (write(fds[1], out.data(), out.size()) < 0)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	std::string text;
	char buf[4096];
	for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;)
		text.append(buf, static_cast<std::size_t>(n));
	close(fds[0]);
	int status = 0;
	waitpid(child, &status, 0);
	tally.merge_text(text);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		tally.problems.push_back("the foreign-namespace child failed");
		++tally.wrong;
	}
}

int run(unsigned long calls, std::uint64_t seed, const CallOptions &opts)
{
	RemoteReader reader(opts.via());
	PatternFile file(kFuzzLayout.size());
	for (std::size_t p = 0; p < kFuzzLayout.size(); ++p) {
		char k = kFuzzLayout[p];
		if (k == 'H')
			continue;
		if (!file.map(p, 1, k == 'R' ? PROT_READ : PROT_NONE))
			throw std::runtime_error(strf("cannot map the region at %#llx",
						      static_cast<unsigned long long>(page_addr(p))));
	}
	Child target, zombie;
	pid_t tid = 0;
	bool touch = opts.via() == Via::Kfunc;
	if (touch)
		touch_half_of_layout();
	spawn_target(target, &tid, touch);
	pid_t dead = make_dead_pid();
	make_zombie(zombie);
	Fuzzer f{reader, std::mt19937_64(seed), {}, {}, 0, opts.flags()};
	f.pids = {{"live", target.pid, true},
		  {"live-thread", tid, true},
		  {"self", getpid(), true},
		  {"zombie", zombie.pid, false},
		  {"dead", dead, false},
		  {"zero", 0, false},
		  {"negative", -1, false},
		  {"INT_MIN", INT_MIN, false},
		  {"INT_MAX", INT_MAX, false},
		  {"neg-random", -static_cast<pid_t>(1 + (seed % 100000)), false}};
	if (is_kthreadd(2))
		f.pids.push_back({"kthread", 2, false});
	else
		std::cerr << "cfur-fuzz: pid 2 is not kthreadd here; the kernel-thread case is left out\n";
	// "dead" must stay unused while we run; a reused pid would be live.
	for (unsigned long i = 0; i < calls; ++i) {
		if (i % 1024 == 0 && kill(dead, 0) == 0)
			f.pids[4] = {"dead", dead = make_dead_pid(), false};
		f.one();
	}
	foreign_namespace(reader, opts.flags(), target.pid,
			  static_cast<unsigned>(std::min(calls / 10, 10000UL)), f.tally);
	for (Child *c : {&target, &zombie}) {
		pid_t pid = c->pid;
		if (!c->stop()) {
			f.tally.problems.push_back(strf("pid %d did not exit within 10 s of SIGKILL "
							"(its mmap_lock left held?)",
							pid));
			++f.tally.wrong;
		}
	}

	const Tally &t = f.tally;
	print_counts("pid class", t.by_class, opts.via());
	if (opts.via() == Via::Kfunc)
		print_counts("flags", t.by_flags, opts.via());
	for (auto &p : t.problems)
		std::cout << "WRONG: " << p << '\n';
	std::string how = opts.via() == Via::Kfunc
				  ? strf(", via kfunc, flags %s", flag_mode_name(opts.flags()))
				  : "";
	std::cout << strf("cfur-fuzz: %lu calls, %lu wrong (seed %llu%s)\n", t.calls, t.wrong,
			  static_cast<unsigned long long>(seed), how.c_str());
	return t.wrong == 0 && t.calls >= calls ? 0 : 1;
}

} // namespace
} // namespace cfur::rel

int main(int argc, char **argv)
{
	using namespace cfur::rel;
	CLI::App app{"Calls bpf_copy_from_user_remote (or with --via kfunc bpf_copy_from_user_pid) "
		     "with random pids, addresses, sizes (and flags), and checks every result "
		     "against the contract.",
		     "cfur-fuzz"};
	unsigned long calls = 100000;
	std::uint64_t seed = 1;
	app.add_option("--calls", calls, "calls to make (default 100000)")->check(CLI::Range(1UL, ULONG_MAX));
	app.add_option("--seed", seed, "the random seed (default 1)")
		->check(CLI::Range(std::uint64_t{1}, UINT64_MAX));
	CallOptions call(app, {FlagMode::Fuzz, FlagMode::Zero, FlagMode::Nowait, FlagMode::Mixed},
			 FlagMode::Fuzz);
	cfur::cli::parse_or_exit(app, argc, argv);
	try {
		return run(calls, seed, call);
	} catch (const std::exception &e) {
		std::cerr << "cfur-fuzz: error: " << e.what() << '\n';
		return 1;
	}
}
