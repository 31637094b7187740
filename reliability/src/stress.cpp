// SPDX-License-Identifier: GPL-2.0
// cfur-stress: BPF readers against churning targets. Reader threads call
// bpf_copy_from_user_remote (one BPF_PROG_RUN each) on the current targets
// while every target maps and unmaps its pages, changes their protection,
// starts and ends threads, and is killed and replaced, with pid_max low so
// that pids are reused. Every read must return the pattern the targets hold
// at that address, or -ESRCH/-EFAULT with dst zeroed. With --via kfunc the
// readers call bpf_copy_from_user_pid instead, by default every other read
// with BPF_F_COPY_NOWAIT (--flags mixed), which may also give -EAGAIN.
//
// Usage: cfur-stress [--seconds S] [--readers N] [--targets N] [--pid-max N]
//                    [--via helper|kfunc] [--flags 0|nowait|mixed]
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
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
#include "reap.hpp"
#include "reader.hpp"
#include "region.hpp"
#include "strf.hpp"

namespace cfur::rel {
namespace {

constexpr std::size_t kWindowPages = 64; // pages 0..kStablePages-1 never change
constexpr std::size_t kStablePages = 16;

struct Options {
	double seconds = 10;
	unsigned readers = 4;
	unsigned targets = 4;
	unsigned pid_max = 0; // 0: leave it
	Via via = Via::Helper;
	FlagMode flags = FlagMode::Zero;
};

// A target: churns its window until killed. With touch (the kfunc), its
// stable pages are mapped in first, for BPF_F_COPY_NOWAIT to read.
[[noreturn]] void target_main(const PatternFile &file, bool touch)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!file.map(0, kWindowPages, PROT_READ))
		_exit(3);
	for (std::size_t p = 0; touch && p < kStablePages; ++p)
		touch_page(p);
	auto churn = [&file](unsigned seed) {
		std::mt19937 rng(seed);
		for (;;) {
			std::size_t p = kStablePages + rng() % (kWindowPages - kStablePages);
			std::size_t n = 1 + rng() % 4;
			if (p + n > kWindowPages)
				n = kWindowPages - p;
			switch (rng() % 3) {
			case 0:
				munmap(reinterpret_cast<void *>(page_addr(p)), n * kPage);
				break;
			case 1:
				mprotect(reinterpret_cast<void *>(page_addr(p)), n * kPage, PROT_NONE);
				break;
			default:
				file.map(p, n, PROT_READ);
			}
		}
	};
	std::thread a(churn, static_cast<unsigned>(getpid()));
	std::thread b(churn, static_cast<unsigned>(getpid()) * 7 + 1);
	// Threads come and go.
	for (;;) {
		std::thread t([] { usleep(200); });
		t.join();
	}
}

struct Counts {
	std::atomic<unsigned long> reads{0}, ok{0}, esrch{0}, efault{0}, eagain{0}, wrong{0};
};

int run(const Options &o)
{
	RemoteReader reader(o.via);
	PatternFile file(kWindowPages);

	std::string old_pid_max;
	if (o.pid_max) {
		std::ifstream("/proc/sys/kernel/pid_max") >> old_pid_max;
		std::ofstream("/proc/sys/kernel/pid_max") << o.pid_max;
	}

	std::vector<std::atomic<pid_t>> pids(o.targets);
	auto spawn = [&]() -> pid_t {
		pid_t p = fork();
		if (p == 0)
			target_main(file, o.via == Via::Kfunc);
		return p;
	};
	for (auto &p : pids)
		p = spawn();

	Counts c;
	std::mutex mu;
	std::vector<std::string> problems;
	std::atomic<bool> stop{false};
	auto note_stuck = [&](pid_t pid) {
		++c.wrong;
		std::lock_guard<std::mutex> g(mu);
		if (problems.size() < 10)
			problems.push_back(strf("pid %d did not exit within 10 s of SIGKILL "
						"(its mmap_lock left held?)",
						pid));
	};
	std::vector<std::thread> readers;
	for (unsigned r = 0; r < o.readers; ++r) {
		readers.emplace_back([&, r] {
			std::mt19937_64 rng(r + 1);
			for (unsigned long n = 0; !stop.load(std::memory_order_relaxed); ++n) {
				pid_t pid = pids[rng() % pids.size()].load();
				std::uint64_t addr = kRegionBase + rng() % (kWindowPages * kPage);
				auto size = static_cast<std::uint32_t>(1 + rng() % (2 * kPage));
				if (addr + size > kRegionBase + kWindowPages * kPage)
					size = static_cast<std::uint32_t>(
						kRegionBase + kWindowPages * kPage - addr);
				std::uint64_t flags = flags_for(o.flags, n);
				long ret = reader.read(r, pid, addr, size, flags);
				Verdict v = check_call(
					{ret, addr, size, reader.slot(r), kPoison, {}, flags});
				++c.reads;
				switch (v.outcome) {
				case Outcome::Ok:
					++c.ok;
					break;
				case Outcome::Esrch:
					++c.esrch;
					break;
				case Outcome::Efault:
					++c.efault;
					break;
				case Outcome::Eagain:
					++c.eagain;
					break;
				case Outcome::Einval: // no unknown flags here: check_call() says Wrong
				case Outcome::Wrong: {
					++c.wrong;
					std::lock_guard<std::mutex> g(mu);
					if (problems.size() < 10)
						problems.push_back(
							strf("pid %d addr %#llx size %u flags %#llx: %s",
							     pid, (unsigned long long)addr, size,
							     (unsigned long long)flags,
							     v.problem.c_str()));
				}
				}
			}
		});
	}

	// Replace a random target every few milliseconds; count reused pids.
	std::set<pid_t> seen;
	for (auto &p : pids)
		seen.insert(p.load());
	unsigned long replaced = 0, reused = 0;
	std::mt19937 rng(99);
	auto t0 = std::chrono::steady_clock::now();
	auto deadline = t0 + std::chrono::duration<double>(o.seconds);
	while (std::chrono::steady_clock::now() < deadline) {
		usleep(5000);
		auto &slot = pids[rng() % pids.size()];
		pid_t old = slot.load();
		if (!kill_and_reap(old))
			note_stuck(old);
		pid_t fresh = spawn();
		if (fresh < 0)
			continue;
		slot = fresh;
		++replaced;
		if (!seen.insert(fresh).second)
			++reused;
	}
	stop = true;
	for (auto &t : readers)
		t.join();
	for (auto &p : pids)
		if (!kill_and_reap(p.load()))
			note_stuck(p.load());
	if (!old_pid_max.empty())
		std::ofstream("/proc/sys/kernel/pid_max") << old_pid_max;
	double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

	// The helper's line as it was; the kfunc's names itself and -EAGAIN.
	std::string eagain = o.via == Via::Kfunc ? strf("%lu EAGAIN, ", c.eagain.load()) : "";
	std::string how =
		o.via == Via::Kfunc ? strf(" (via kfunc, flags %s)", flag_mode_name(o.flags)) : "";
	std::cout << strf("cfur-stress: %.1f s, %u readers, %u targets: %lu reads: %lu ok, %lu "
			  "ESRCH, %lu EFAULT, %s%lu WRONG; %lu targets replaced, %lu pids reused%s\n",
			  secs, o.readers, o.targets, c.reads.load(), c.ok.load(), c.esrch.load(),
			  c.efault.load(), eagain.c_str(), c.wrong.load(), replaced, reused,
			  how.c_str());
	for (auto &p : problems)
		std::cout << "WRONG: " << p << '\n';
	if (c.ok == 0 || c.esrch == 0 || c.efault == 0)
		std::cout << "cfur-stress: an outcome class never occurred; the stress did not "
			     "exercise the call fully\n";
	return c.wrong == 0 && c.ok > 0 && c.esrch > 0 && c.efault > 0 ? 0 : 1;
}

} // namespace
} // namespace cfur::rel

int main(int argc, char **argv)
{
	using namespace cfur::rel;
	CLI::App app{"Reader threads call bpf_copy_from_user_remote (or with --via kfunc "
		     "bpf_copy_from_user_pid) on targets that churn their memory and threads and "
		     "are replaced, and check every read against the contract.",
		     "cfur-stress"};
	Options o;
	app.add_option("--seconds", o.seconds, "how long to run (default 10)")
		->check(CLI::Range(0.001, 1e6));
	app.add_option("--readers", o.readers, "reader threads (default 4)")
		->check(CLI::Range(1U, RemoteReader::kSlots));
	app.add_option("--targets", o.targets, "targets at a time (default 4)")
		->check(CLI::Range(1U, UINT_MAX));
	app.add_option("--pid-max", o.pid_max, "set kernel.pid_max meanwhile, for pid reuse")
		->check(CLI::Range(1U, UINT_MAX));
	CallOptions call(app, {FlagMode::Zero, FlagMode::Nowait, FlagMode::Mixed}, FlagMode::Mixed);
	cfur::cli::parse_or_exit(app, argc, argv);
	o.via = call.via();
	o.flags = call.flags();
	try {
		return run(o);
	} catch (const std::exception &e) {
		std::cerr << "cfur-stress: error: " << e.what() << '\n';
		return 1;
	}
}
