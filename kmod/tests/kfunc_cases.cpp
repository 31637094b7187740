// SPDX-License-Identifier: GPL-2.0
// The cases of bpf_copy_from_user_pid()'s tests and their table (see
// kfunc_cases.hpp): reads, each error the kfunc returns and why, its flag,
// who may read whom, pid namespaces, the program types that may not call
// it, a race with exit, and timings beside process_vm_readv(2).
#include "kfunc_cases.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "copy_from_user_pid.h"
#include "harness.hpp"
#include "helper_probe.hpp"
#include "kfunc_calls.hpp"
#include "kfunc_test_args.h"
#include "kfunc_rcu.skel.h"
#include "kfunc_timer.skel.h"
#include "kfunc_wq.skel.h"
#include "kfunc_wrong_type.skel.h"
#include "skel_ptr.hpp"
#include "strf.hpp"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

namespace {

using cfur::strf;
using kt::addr_of;
using kt::buf;
using kt::copy;
using kt::errname;
using kt::expect;
using kt::expect_data;
using kt::expect_error;
using kt::expect_guard;
using kt::fail;
using kt::hold_pattern;
using kt::kPage;
using kt::note;
using kt::repeat;
using kt::slice;
using kt::Target;
using namespace std::chrono_literals;

constexpr uid_t kUser = 1000;
constexpr gid_t kGroup = 1000;

void t_read_secret()
{
	const std::uint64_t seed = 0x5ec7e7;
	const std::size_t off = 0x123, n = 3 * kPage + 100;
	Target t([&] { return hold_pattern(5, seed); });
	auto want = slice(seed, off, n);
	expect_data(t.pid(), t.value(0) + off, want, 0, "the secret");
	// process_vm_readv(2) reads the same bytes.
	std::vector<std::uint8_t> pvm(n);
	iovec local{pvm.data(), n}, remote{reinterpret_cast<void *>(t.value(0) + off), n};
	expect(process_vm_readv(t.pid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n) &&
		       pvm == want,
	       "process_vm_readv disagrees with the kfunc");
}

void t_read_small_unaligned()
{
	const std::uint64_t seed = 11;
	Target t([&] { return hold_pattern(3, seed); });
	const std::pair<std::size_t, std::size_t> reads[] = {
		{0, 1},	    {kPage - 1, 1},	    {kPage - 3, 7},
		{1, kPage}, {kPage - 1, kPage + 2}, {kPage - 1, 2 * kPage + 1},
		{17, 8},
	};
	for (auto [off, n] : reads)
		expect_data(t.pid(), t.value(0) + off, slice(seed, off, n), 0,
			    strf("%zu bytes at offset %zu", n, off));
}

void t_read_multi_batch()
{
	const std::uint64_t seed = 77;
	Target t([&] { return hold_pattern(82, seed); });
	const std::pair<std::size_t, std::size_t> reads[] = {
		{0, 16 * kPage},	    // one batch, exactly
		{0, 16 * kPage + 1},	    // one byte into the second
		{0x7ff, 70 * kPage + 1000}, // five batches, unaligned both ends
		{kPage, KT_BUF_MAX},	    // the whole buffer
	};
	for (auto [off, n] : reads)
		expect_data(t.pid(), t.value(0) + off, slice(seed, off, n), 0,
			    strf("%zu bytes at offset %#zx", n, off));
}

void t_size_zero()
{
	Target t([&] { return hold_pattern(1, 5); });
	expect(copy(t.pid(), t.value(0), 0) == 0, "a 0-byte read of a live process is not 0");
	expect_guard(0, "a 0-byte read");
	expect(copy(0, 0, 0) == 0, "a 0-byte read of pid 0 is not 0");
}

void t_esrch_no_such_pid()
{
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, nullptr, 0);
	expect_error(gone, 0x10000, 64, 0, -ESRCH, strf("pid %d, exited and reaped", gone));
	expect_error(4194305, 0x10000, 64, 0, -ESRCH, "pid 4194305, above PID_MAX_LIMIT");
	expect_error(INT_MAX, 0x10000, 64, 0, -ESRCH, "pid INT_MAX");
}

void t_esrch_nonpositive_pid()
{
	expect_error(0, 0x10000, 64, 0, -ESRCH, "pid 0");
	expect_error(-1, 0x10000, 64, 0, -ESRCH, "pid -1");
	expect_error(INT_MIN, 0x10000, 64, 0, -ESRCH, "pid INT_MIN");
}

// A kernel thread's pid: one whose /proc/PID/stat has PF_KTHREAD.
pid_t kernel_thread()
{
	constexpr unsigned long kPfKthread = 0x00200000;
	for (pid_t pid = 2; pid < 200; pid++) {
		FILE *f = std::fopen(strf("/proc/%d/stat", pid).c_str(), "r");
		if (!f)
			continue;
		char line[1024] = "";
		bool got = std::fgets(line, sizeof(line), f);
		std::fclose(f);
		const char *p = got ? std::strrchr(line, ')') : nullptr;
		unsigned long flags = 0;
		// After "(comm)": state ppid pgrp session tty_nr tpgid flags
		if (p && std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & kPfKthread))
			return pid;
	}
	fail("no kernel thread among pids 2 to 199 (is /proc mounted?)");
}

void t_esrch_kernel_thread()
{
	pid_t k = kernel_thread();
	expect_error(k, 0x10000, 64, 0, -ESRCH, strf("kernel thread %d", k));
	expect_error(k, 0x10000, 64, BPF_F_COPY_NOWAIT, -ESRCH, strf("kernel thread %d, nowait", k));
}

char proc_state(pid_t pid)
{
	FILE *f = std::fopen(strf("/proc/%d/stat", pid).c_str(), "r");
	if (!f)
		return '?';
	char line[1024] = "";
	bool got = std::fgets(line, sizeof(line), f);
	std::fclose(f);
	const char *p = got ? std::strrchr(line, ')') : nullptr;
	return p && p[1] == ' ' ? p[2] : '?';
}

void t_esrch_zombie()
{
	Target t([&] { return hold_pattern(1, 9); });
	expect_data(t.pid(), t.value(0), slice(9, 0, 64), 0, "the target, alive");
	t.release();
	for (int i = 0; i < 200 && proc_state(t.pid()) != 'Z'; i++)
		std::this_thread::sleep_for(50ms);
	expect(proc_state(t.pid()) == 'Z', "the target did not become a zombie within 10 s");
	expect_error(t.pid(), t.value(0), 64, 0, -ESRCH, "the target, a zombie");
	expect(t.reap(), "the zombie could not be reaped");
}

void t_efault_unmapped()
{
	const std::uint64_t seed = 21;
	Target t([&] {
		auto *p = static_cast<char *>(kt::map_pattern(3, seed));
		munmap(p + kPage, kPage);
		return std::vector<std::uint64_t>{addr_of(p)};
	});
	std::uint64_t a = t.value(0);
	expect_error(t.pid(), a + kPage, 8, 0, -EFAULT, "8 bytes in the unmapped page");
	expect_error(t.pid(), a + 100, 2 * kPage, 0, -EFAULT,
		     "a read from a mapped page into the hole");
	expect_error(t.pid(), a + kPage - 8, 16, BPF_F_COPY_NOWAIT, -EFAULT,
		     "16 bytes across into the hole, nowait");
	expect_error(t.pid(), 0, 8, 0, -EFAULT, "address 0");
	expect_data(t.pid(), a + 2 * kPage, slice(seed, 2 * kPage, 100), 0, "the page after the hole");
}

void t_efault_prot_none()
{
	const std::uint64_t seed = 22;
	Target t([&] {
		auto *p = static_cast<char *>(kt::map_pattern(3, seed));
		if (mprotect(p + kPage, kPage, PROT_NONE))
			fail(strf("mprotect: %s", std::strerror(errno)));
		return std::vector<std::uint64_t>{addr_of(p)};
	});
	std::uint64_t a = t.value(0);
	expect_error(t.pid(), a + kPage, 8, 0, -EFAULT, "a PROT_NONE page");
	expect_error(t.pid(), a + 10, kPage + 10, 0, -EFAULT, "a read into a PROT_NONE page");
	expect_error(t.pid(), a + kPage, 8, BPF_F_COPY_NOWAIT, -EFAULT, "a PROT_NONE page, nowait");
	expect_data(t.pid(), a, slice(seed, 0, kPage), 0, "the page before it");
}

void t_efault_hole_later_batch()
{
	const std::uint64_t seed = 23;
	Target t([&] {
		auto *p = static_cast<char *>(kt::map_pattern(40, seed));
		munmap(p + 37 * kPage, kPage);
		if (mprotect(p + 20 * kPage, kPage, PROT_NONE))
			fail(strf("mprotect: %s", std::strerror(errno)));
		return std::vector<std::uint64_t>{addr_of(p)};
	});
	std::uint64_t a = t.value(0);
	// The first batches are copied before the fault: all must be zeroed.
	expect_error(t.pid(), a, 40 * kPage, 0, -EFAULT, "40 pages, PROT_NONE at 20, a hole at 37");
	expect_error(t.pid(), a + 21 * kPage + 5, 17 * kPage, 0, -EFAULT,
		     "17 pages from 21, a hole in the second batch");
	expect_error(t.pid(), a + 21 * kPage + 5, 17 * kPage, BPF_F_COPY_NOWAIT, -EFAULT,
		     "the same, nowait");
	expect_data(t.pid(), a + 21 * kPage, slice(seed, 21 * kPage, 16 * kPage), 0,
		    "the 16 pages between");
}

void t_efault_kernel_address()
{
	Target t([&] { return hold_pattern(1, 3); });
	expect_error(t.pid(), 0xffffffff81000000ULL, 8, 0, -EFAULT, "the kernel's text");
	expect_error(t.pid(), 0xffff888000000000ULL, 64, 0, -EFAULT, "the direct map");
	expect_error(t.pid(), 1ULL << 47, 8, 0, -EFAULT, "the first address past user space");
	expect_error(t.pid(), ~0ULL - 3, 8, 0, -EFAULT, "a range that wraps");
}

// A target with 4 pages registered with userfaultfd (missing mode), page
// 0 present, the others never served: value(0) is their address.
std::vector<std::uint64_t> hold_uffd_range()
{
	int uffd = static_cast<int>(syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
	if (uffd < 0)
		fail(strf("userfaultfd: %s", std::strerror(errno)));
	uffdio_api api{};
	api.api = UFFD_API;
	if (ioctl(uffd, UFFDIO_API, &api))
		fail(strf("UFFDIO_API: %s", std::strerror(errno)));
	auto *p = static_cast<std::uint8_t *>(mmap(nullptr, 4 * kPage, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (p == MAP_FAILED)
		fail(strf("mmap: %s", std::strerror(errno)));
	for (std::size_t i = 0; i < kPage; i++)
		p[i] = kt::pattern_byte(31, i);
	// The first page stays out of the range: a plain VMA just below it,
	// from which a read runs into the range.
	uffdio_register reg{};
	reg.range.start = addr_of(p) + kPage;
	reg.range.len = 3 * kPage;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		fail(strf("UFFDIO_REGISTER: %s", std::strerror(errno)));
	return {addr_of(p)};
}

void t_uffd_no_wait()
{
	Target t(hold_uffd_range);
	std::uint64_t a = t.value(0);
	expect_data(t.pid(), a, slice(31, 0, 64), 0, "the page that is there");
	auto start = std::chrono::steady_clock::now();
	expect_error(t.pid(), a + kPage, 8, 0, -EFAULT, "a missing page of a userfaultfd range");
	expect_error(t.pid(), a + 100, 2 * kPage, 0, -EFAULT, "a read into it");
	auto took = std::chrono::steady_clock::now() - start;
	expect(took < 3s,
	       strf("the failed reads took %lld ms: did they wait for the handler?",
		    static_cast<long long>(
			    std::chrono::duration_cast<std::chrono::milliseconds>(took).count())));
}

void t_uffd_nowait_flag()
{
	Target t(hold_uffd_range);
	std::uint64_t a = t.value(0);
	expect_data(t.pid(), a, slice(31, 0, 64), BPF_F_COPY_NOWAIT, "the page that is there, nowait");
	expect_error(t.pid(), a + kPage, 8, BPF_F_COPY_NOWAIT, -EAGAIN,
		     "a missing page of a userfaultfd range, nowait");
	expect_error(t.pid(), a + 100, 2 * kPage, BPF_F_COPY_NOWAIT, -EAGAIN, "a read into it, nowait");
}

void t_nowait_resident()
{
	const std::uint64_t seed = 41;
	Target t([&] { return hold_pattern(20, seed); });
	expect_data(t.pid(), t.value(0) + 10, slice(seed, 10, 17 * kPage), BPF_F_COPY_NOWAIT,
		    "17 resident pages, nowait");
	expect_data(t.pid(), t.value(0) + 8, slice(seed, 8, 8), BPF_F_COPY_NOWAIT,
		    "8 resident bytes, nowait");
}

// Nowait faults nothing in: a page the target never touched is -EAGAIN
// (zeroed); once a read that may wait has mapped it (the zero page), nowait
// reads it.
void t_nowait_not_mapped()
{
	Target z([] {
		void *p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED)
			fail(strf("mmap: %s", std::strerror(errno)));
		return std::vector<std::uint64_t>{addr_of(p)};
	});
	expect_error(z.pid(), z.value(0), 64, BPF_F_COPY_NOWAIT, -EAGAIN,
		     "an untouched anonymous page, nowait");
	expect_data(z.pid(), z.value(0), std::vector<std::uint8_t>(64, 0), 0,
		    "an untouched anonymous page, waiting");
	expect_data(z.pid(), z.value(0), std::vector<std::uint8_t>(64, 0), BPF_F_COPY_NOWAIT,
		    "the same page, mapped now, nowait");
}

void t_nowait_page_cache()
{
	expect(!kt::cold_file().empty(),
	       "no cold file given (kfunc-test --cold-file PATH, or KFUNC_COLD_FILE=PATH): a file "
	       "of 4 MiB or more on a block device's filesystem (vm/guest-kmod.sh makes one on ext4 "
	       "over a loop device)");
	const std::string path = kt::cold_file();
	struct stat st {};
	expect(stat(path.c_str(), &st) == 0 && st.st_size >= (4 << 20),
	       strf("the cold file %s: missing or under 4 MiB", path.c_str()));
	auto size = static_cast<std::size_t>(st.st_size);
	Target t([&] {
		int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(strf("open %s: %s", path.c_str(), std::strerror(errno)));
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		void *p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			fail(strf("mmap %s: %s", path.c_str(), std::strerror(errno)));
		// No readahead: a fault reads the page synchronously, mmap_lock
		// held, whatever FOLL_NOWAIT says (filemap_fault()).
		if (madvise(p, size, MADV_RANDOM))
			fail(strf("madvise(MADV_RANDOM): %s", std::strerror(errno)));
		return std::vector<std::uint64_t>{addr_of(p)};
	});
	constexpr std::size_t kStride = 512 << 10, kN = 64;
	int eagain = 0, tries = 0;
	std::vector<std::vector<std::uint8_t>> got;
	for (std::size_t off = 0; off + kN <= size && tries < 8; off += kStride, tries++) {
		// Not mapped in the target: nowait reads nothing in, whatever the
		// page cache holds.
		int r = copy(t.pid(), t.value(0) + off, kN, BPF_F_COPY_NOWAIT);
		expect(r == -EAGAIN, strf("a cold page at %#zx, nowait: returned %d (%s), expected "
					  "-EAGAIN",
					  off, r, errname(r)));
		eagain++;
		expect(std::all_of(buf(), buf() + kN, [](auto c) { return c == 0; }),
		       "a cold page, nowait: -EAGAIN without dst zeroed");
		r = copy(t.pid(), t.value(0) + off, kN, 0);
		expect(r == 0,
		       strf("a cold page at %#zx, waiting: returned %d (%s)", off, r, errname(r)));
		got.emplace_back(buf(), buf() + kN);
		r = copy(t.pid(), t.value(0) + off, kN, BPF_F_COPY_NOWAIT);
		expect(r == 0, strf("the page at %#zx, read in, nowait: returned %d (%s)", off, r,
				    errname(r)));
	}
	note(strf("%d of %d cold pages were -EAGAIN with BPF_F_COPY_NOWAIT", eagain, tries));
	expect(eagain > 0, "no cold page gave -EAGAIN with BPF_F_COPY_NOWAIT: it waited for I/O");
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	expect(fd >= 0, strf("open %s: %s", path.c_str(), std::strerror(errno)));
	for (int i = 0; i < tries; i++) {
		std::vector<std::uint8_t> want(kN);
		bool ok = pread(fd, want.data(), kN, static_cast<off_t>(i * kStride)) ==
			  static_cast<ssize_t>(kN);
		expect(ok && want == got[static_cast<std::size_t>(i)],
		       strf("the cold page at %#zx read wrong", i * kStride));
	}
	close(fd);
}

void t_nowait_lock_contention()
{
	const std::uint64_t seed = 51;
	Target t([&] {
		void *data = kt::map_pattern(1, seed);
		constexpr std::size_t kBig = 64 << 20;
		void *big = mmap(nullptr, kBig, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (big == MAP_FAILED)
			fail(strf("mmap: %s", std::strerror(errno)));
		// mprotect() holds the mmap_lock for writing while it changes
		// 16384 page table entries: over and over. Ready once it runs.
		auto *rounds = new std::atomic<unsigned>(0);
		std::thread([big, rounds] {
			for (int prot = PROT_READ;; prot ^= PROT_WRITE) {
				mprotect(big, kBig, prot);
				rounds->fetch_add(1);
			}
		}).detach();
		while (rounds->load() < 2)
			std::this_thread::yield();
		return std::vector<std::uint64_t>{addr_of(data)};
	});
	// 2000 reads take a few ms: the writer may not be on a CPU meanwhile.
	// Up to 10 such runs until one read meets the lock taken.
	std::uint32_t ok = 0, eagain = 0, runs = 0;
	while (runs < 10 && !eagain) {
		auto r = repeat(t.pid(), t.value(0), 8, BPF_F_COPY_NOWAIT, 2000);
		runs++;
		expect(r.other == 0, strf("nowait under mprotect(): %u calls returned %d (%s)",
					  r.other, r.last_other, errname(r.last_other)));
		ok += r.ok;
		eagain += r.eagain;
	}
	note(strf("nowait under mprotect(): %u of %u read, %u -EAGAIN", ok, runs * 2000, eagain));
	expect(eagain > 0, strf("nowait never gave -EAGAIN in %u reads while the target's mmap_lock "
				"was taken for writing over and over: it waited for the lock",
				runs * 2000));
	auto w = repeat(t.pid(), t.value(0), 8, 0, 200);
	expect(w.ok == 200, strf("waiting reads under mprotect(): %u of 200 read, %u -EAGAIN, %u "
				 "other (last %d)",
				 w.ok, w.eagain, w.other, w.last_other));
	expect_data(t.pid(), t.value(0), slice(seed, 0, 64), 0, "the data after");
}

void t_einval_unknown_flags()
{
	Target t([&] { return hold_pattern(1, 61); });
	const std::uint64_t bad[] = {2, 1ULL << 63, ~0ULL, BPF_F_COPY_NOWAIT | 4};
	for (auto f : bad)
		expect_error(t.pid(), t.value(0), 64, f, -EINVAL,
			     strf("flags %#llx", static_cast<unsigned long long>(f)));
	expect(copy(t.pid(), t.value(0), 0, 2) == -EINVAL, "flags 2 with size 0 is not -EINVAL");
}

void t_eperm_no_perfmon()
{
	const std::uint64_t seed = 71;
	Target t([&] { return hold_pattern(1, seed); });
	kt::in_child([&] {
		kt::set_effective_caps({CAP_BPF});
		expect_error(t.pid(), t.value(0), 64, 0, -EPERM,
			     "same uid, CAP_BPF only (no CAP_PERFMON, no CAP_SYS_ADMIN)");
		expect_error(t.pid(), t.value(0), 64, BPF_F_COPY_NOWAIT, -EPERM, "the same, nowait");
	});
	kt::in_child([&] {
		kt::set_effective_caps({CAP_BPF, CAP_PERFMON});
		expect_data(t.pid(), t.value(0), slice(seed, 0, 64), 0, "same uid, CAP_PERFMON");
	});
	kt::in_child([&] {
		kt::set_effective_caps({CAP_BPF, CAP_SYS_ADMIN});
		expect_data(t.pid(), t.value(0), slice(seed, 0, 64), 0, "same uid, CAP_SYS_ADMIN");
	});
}

// A target that runs as uid, gid (real, effective, saved) unless saved_uid
// says otherwise, and is dumpable or not.
std::vector<std::uint64_t> hold_as(uid_t uid, gid_t gid, uid_t saved_uid, bool dumpable,
				   std::uint64_t seed)
{
	if (setgroups(0, nullptr) || setresgid(gid, gid, gid) || setresuid(uid, uid, saved_uid))
		fail(strf("setresuid: %s", std::strerror(errno)));
	// A change of uid makes the process non-dumpable (suid_dumpable).
	prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0);
	return hold_pattern(1, seed);
}

void t_eperm_other_credentials()
{
	Target root([] { return hold_pattern(1, 81); });
	Target user([] { return hold_as(kUser, kGroup, kUser, true, 82); });
	Target other_gid([] { return hold_as(kUser, kGroup + 1, kUser, true, 83); });
	Target saved_root([] { return hold_as(kUser, kGroup, 0, true, 84); });
	kt::in_child([&] {
		kt::become(kUser, kGroup, {CAP_BPF, CAP_PERFMON});
		expect_data(user.pid(), user.value(0), slice(82, 0, 64), 0,
			    "uid 1000 reads a dumpable uid-1000 target");
		expect_error(root.pid(), root.value(0), 64, 0, -EPERM,
			     "uid 1000 without CAP_SYS_PTRACE reads a root target");
		expect_error(other_gid.pid(), other_gid.value(0), 64, 0, -EPERM,
			     "uid 1000 gid 1000 reads a uid-1000 gid-1001 target");
		expect_error(saved_root.pid(), saved_root.value(0), 64, 0, -EPERM,
			     "uid 1000 reads a uid-1000 target whose saved uid is 0");
	});
}

void t_eperm_not_dumpable()
{
	Target nd([] { return hold_as(kUser, kGroup, kUser, false, 91); });
	kt::in_child([&] {
		kt::become(kUser, kGroup, {CAP_BPF, CAP_PERFMON});
		expect_error(nd.pid(), nd.value(0), 64, 0, -EPERM,
			     "uid 1000 reads a non-dumpable uid-1000 target");
	});
}

void t_cap_sys_ptrace_allows()
{
	Target root([] { return hold_pattern(1, 101); });
	Target nd([] { return hold_as(kUser, kGroup, kUser, false, 102); });
	kt::in_child([&] {
		kt::become(kUser, kGroup, {CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE});
		expect_data(root.pid(), root.value(0), slice(101, 0, 64), 0,
			    "uid 1000 with CAP_SYS_PTRACE reads a root target");
		expect_data(nd.pid(), nd.value(0), slice(102, 0, 64), 0,
			    "uid 1000 with CAP_SYS_PTRACE reads a non-dumpable target");
	});
}

void t_read_self()
{
	kt::in_child([&] {
		auto mine = slice(111, 0, 3 * kPage);
		kt::become(kUser, kGroup, {CAP_BPF, CAP_PERFMON});
		prctl(PR_SET_DUMPABLE, 0);
		expect_data(getpid(), addr_of(mine.data()), mine, 0,
			    "a non-dumpable uid-1000 process reads itself");
	});
}

void t_pid_namespace()
{
	const std::uint64_t seed = 121;
	kt::in_child([&] {
		if (unshare(CLONE_NEWPID))
			fail(strf("unshare(CLONE_NEWPID): %s", std::strerror(errno)));
		// The first child is pid 1 of the new namespace.
		Target t([&] { return hold_pattern(2, seed); });
		pid_t global = t.pid();
		std::uint64_t a = t.value(0);
		expect_data(global, a, slice(seed, 0, 256), 0,
			    strf("the target by its pid %d in the caller's namespace", global));
		// Pid 1 here is the VM's init, not the target.
		int r = copy(1, a, 256);
		expect(r != 0 || !std::equal(buf(), buf() + 256, slice(seed, 0, 256).begin()),
		       "pid 1 of the caller's namespace read the target's secret: the pid was taken in "
		       "the target's namespace");
		kt::in_child([&] {
			expect_data(1, a, slice(seed, 0, 256), 0,
				    "from inside the namespace, the target by its pid 1 there");
			expect_error(global, a, 256, 0, -ESRCH,
				     strf("from inside the namespace, pid %d (the target's outside)",
					  global));
		});
	});
}

// The last line of a verifier log that says something (not a blank, not
// the instruction count).
std::string last_log_line(const std::string &log)
{
	std::string last;
	std::size_t at = 0;
	while (at < log.size()) {
		std::size_t end = log.find('\n', at);
		if (end == std::string::npos)
			end = log.size();
		std::string line = log.substr(at, end - at);
		if (!line.empty() && line.rfind("processed ", 0) != 0 &&
		    line.rfind("verification time", 0) != 0 && line.rfind("stack depth", 0) != 0)
			last = line;
		at = end + 1;
	}
	return last;
}

// The kfunc's return and buffer in a callback where it must refuse.
void expect_einval_zeroed(int r, const char *out, std::size_t n, const char *where)
{
	expect(r == -EINVAL,
	       strf("the kfunc in %s returned %d (%s), expected -EINVAL", where, r, errname(r)));
	expect(std::all_of(out, out + n, [](char c) { return c == 0; }),
	       strf("the kfunc in %s: dst not zeroed", where));
}

// Waits up to 5 s for a callback that sets done once it has called the kfunc.
void await_callback(const __u32 &done, const char *what)
{
	for (int i = 0; i < 100 && !__atomic_load_n(&done, __ATOMIC_ACQUIRE); i++)
		std::this_thread::sleep_for(50ms);
	expect(__atomic_load_n(&done, __ATOMIC_ACQUIRE),
	       strf("the %s callback did not run within 5 s", what));
}

void t_timer_callback_refused()
{
	Target t([&] { return hold_pattern(1, 131); });
	std::vector<char> log(1 << 20);
	bpf_object_open_opts opts{};
	opts.sz = sizeof(opts);
	opts.kernel_log_buf = log.data();
	opts.kernel_log_size = log.size();
	opts.kernel_log_level = 1;
	cfur::SkelPtr<kfunc_timer> skel(kfunc_timer::open(&opts));
	expect(bool(skel), strf("opening kfunc_timer: %s", std::strerror(errno)));
	skel->bss->addr = t.value(0);
	skel->bss->pid = t.pid();
	if (kfunc_timer::load(skel.get())) {
		// A verifier that knows a timer callback may not sleep.
		std::string why = last_log_line(log.data());
		expect(why.find("sleepable") != std::string::npos,
		       "loading the timer program failed, but not for a sleepable call: " + why);
		note("the verifier refused the kfunc in the timer callback: " + why);
		return;
	}
	std::memset(skel->bss->out, 0xcc, sizeof(skel->bss->out));
	bpf_test_run_opts run{};
	run.sz = sizeof(run);
	expect(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.arm), &run) == 0,
	       strf("BPF_PROG_RUN: %s", std::strerror(errno)));
	expect(run.retval == 0, strf("arming the timer failed: %u", run.retval));
	await_callback(skel->bss->done, "timer");
	expect_einval_zeroed(skel->data->ret, skel->bss->out, sizeof(skel->bss->out),
			     "a bpf_timer callback (softirq)");
	note("the 6.1 verifier let a syscall program's bpf_timer callback call the sleepable "
	     "kfunc; the kfunc refused at run time (-EINVAL)");
}

// A bpf_wq callback runs in a kworker, a kernel thread with every
// capability: the kfunc refuses there, else any fd holder reads anything.
void t_wq_callback_refused()
{
	Target t([&] { return hold_pattern(1, 137); });
	cfur::SkelPtr<kfunc_wq> skel(kfunc_wq::open_and_load());
	expect(bool(skel), strf("loading kfunc_wq: %s; libbpf said: %s", std::strerror(errno),
				kt::libbpf_log().c_str()));
	bpf_test_run_opts run{};
	run.sz = sizeof(run);
	skel->bss->addr = t.value(0);
	skel->bss->pid = t.pid();
	std::memset(skel->bss->out, 0xcc, sizeof(skel->bss->out));
	expect(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.start), &run) == 0,
	       strf("BPF_PROG_RUN: %s", std::strerror(errno)));
	if (!skel->bss->have_wq) {
		expect(!cfur::kernel_has_func("bpf_wq_init").value_or(false),
		       "kfunc_wq was built against BTF without bpf_wq, but this kernel has "
		       "bpf_wq_init: build kmod/tests against this kernel's BTF");
		note("no bpf_wq in this kernel (6.10 added it): no kworker can call the kfunc");
		return;
	}
	expect(run.retval == 0, strf("starting the bpf_wq failed: %u", run.retval));
	await_callback(skel->bss->done, "bpf_wq");
	expect_einval_zeroed(skel->data->ret, skel->bss->out, sizeof(skel->bss->out),
			     "a bpf_wq callback (a kworker)");
	note("the verifier let a syscall program's bpf_wq callback call the sleepable kfunc; the "
	     "kfunc refused at run time (-EINVAL)");
}

// A bpf_for_each_map_elem() callback over a hash map runs under
// rcu_read_lock(), where the kfunc must not sleep.
void t_rcu_callback_refused()
{
	Target t([&] { return hold_pattern(1, 139); });
	cfur::SkelPtr<kfunc_rcu> skel(kfunc_rcu::open_and_load());
	expect(bool(skel), strf("loading kfunc_rcu: %s; libbpf said: %s", std::strerror(errno),
				kt::libbpf_log().c_str()));
	skel->bss->addr = t.value(0);
	skel->bss->pid = t.pid();
	std::memset(skel->bss->out, 0xcc, sizeof(skel->bss->out));
	bpf_test_run_opts run{};
	run.sz = sizeof(run);
	expect(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.walk), &run) == 0,
	       strf("BPF_PROG_RUN: %s", std::strerror(errno)));
	expect(run.retval == 0 && skel->bss->calls == 1,
	       strf("the walk over the hash map: retval %u, %u callbacks", run.retval,
		    skel->bss->calls));
	expect_einval_zeroed(skel->data->ret, skel->bss->out, sizeof(skel->bss->out),
			     "a hash map's bpf_for_each_map_elem() callback (rcu_read_lock())");
}

// Loading only program prog of kfunc_wrong_type must fail with want in the
// verifier's log.
void expect_refused(const char *prog, const std::string &want)
{
	std::vector<char> log(1 << 20);
	bpf_object_open_opts opts{};
	opts.sz = sizeof(opts);
	opts.kernel_log_buf = log.data();
	opts.kernel_log_size = log.size();
	opts.kernel_log_level = 1;
	kt::libbpf_log().clear();
	cfur::SkelPtr<kfunc_wrong_type> skel(kfunc_wrong_type::open(&opts));
	expect(bool(skel), strf("opening kfunc_wrong_type: %s", std::strerror(errno)));
	bpf_program *p;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, std::string_view(bpf_program__name(p)) == prog);
	int err = kfunc_wrong_type::load(skel.get());
	std::string text(log.data());
	expect(err != 0, strf("the %s program loaded", prog));
	auto at = text.find(want);
	if (at == std::string::npos)
		at = kt::libbpf_log().find(want);
	expect(at != std::string::npos,
	       strf("the %s program was refused, but without \"%s\": %s%s", prog, want.c_str(),
		    text.substr(text.size() > 1500 ? text.size() - 1500 : 0).c_str(),
		    kt::libbpf_log().substr(0, 1500).c_str()));
	note(strf("%s: %s", prog, want.c_str()));
}

void t_wrong_program_type()
{
	expect_refused("vma_iter", "calling kernel function bpf_copy_from_user_pid is not allowed");
	expect_refused("on_sample", "calling kernel function bpf_copy_from_user_pid is not allowed");
}

void t_exit_race()
{
	auto until = std::chrono::steady_clock::now() + 3s;
	int targets = 0, reads = 0, ok = 0, esrch = 0;
	const auto want = slice(141, 0, 64);
	while (std::chrono::steady_clock::now() < until) {
		int fds[2];
		expect(pipe2(fds, O_CLOEXEC) == 0, "pipe");
		std::fflush(nullptr);
		pid_t pid = fork();
		if (pid == 0) {
			auto a = addr_of(kt::map_pattern(1, 141));
			(void)!write(fds[1], &a, sizeof(a));
			_exit(0);
		}
		close(fds[1]);
		std::uint64_t a = 0;
		bool got = read(fds[0], &a, sizeof(a)) == sizeof(a);
		close(fds[0]);
		targets++;
		for (int i = 0; got && i < 50; i++) {
			int r = copy(pid, a, 64, i % 2 ? BPF_F_COPY_NOWAIT : 0);
			reads++;
			if (r == -ESRCH) {
				esrch++;
				break;
			}
			expect(r == 0 || (r == -EAGAIN && i % 2),
			       strf("reading an exiting process: %d (%s)", r, errname(r)));
			if (r == 0) {
				ok++;
				expect(std::equal(want.begin(), want.end(), buf()),
				       "reading an exiting process: wrong bytes");
			}
		}
		waitpid(pid, nullptr, 0);
	}
	note(strf("%d exiting targets, %d reads: %d read, %d -ESRCH", targets, reads, ok, esrch));
	expect(targets > 10 && ok > 0, "too few targets or reads to say anything");
}

void t_timing()
{
	Target t([&] { return hold_pattern(20, 151); });
	struct Row {
		const char *what;
		std::uint32_t size;
		std::uint64_t flags;
		std::uint32_t n;
	};
	const Row rows[] = {
		{"8 B", 8, 0, 2000},
		{"8 B, nowait", 8, BPF_F_COPY_NOWAIT, 2000},
		{"4 KiB", 4096, 0, 1000},
		{"64 KiB", 65536, 0, 100},
	};
	// Three rounds, the ways alternating, so that drift hits all alike;
	// the median of each.
	constexpr int kRounds = 3;
	std::vector<std::vector<double>> kfunc(std::size(rows)), pvm(std::size(rows));
	for (int round = 0; round < kRounds; round++) {
		for (std::size_t i = 0; i < std::size(rows); i++) {
			const auto &row = rows[i];
			auto r = repeat(t.pid(), t.value(0), row.size, row.flags, row.n);
			expect(r.ok == row.n, strf("%s: %u of %u read, last error %d", row.what,
						   r.ok, row.n, r.last_other));
			kfunc[i].push_back(r.ns_per_call);
			std::vector<std::uint8_t> local(row.size);
			auto start = std::chrono::steady_clock::now();
			for (std::uint32_t k = 0; k < row.n; k++) {
				iovec l{local.data(), row.size};
				iovec rem{reinterpret_cast<void *>(t.value(0)), row.size};
				expect(process_vm_readv(t.pid(), &l, 1, &rem, 1, 0) == row.size,
				       "process_vm_readv failed");
			}
			std::chrono::duration<double, std::nano> took =
				std::chrono::steady_clock::now() - start;
			pvm[i].push_back(took.count() / row.n);
		}
	}
	auto median = [](std::vector<double> v) {
		std::sort(v.begin(), v.end());
		return v[v.size() / 2];
	};
	for (std::size_t i = 0; i < std::size(rows); i++)
		note(strf("%-12s kfunc %7.0f ns/read (%u reads a BPF_PROG_RUN), process_vm_readv "
			  "%7.0f ns/read; median of %d rounds",
			  rows[i].what, median(kfunc[i]), rows[i].n, median(pvm[i]), kRounds));
}

const kt::Case kCases[] = {
	{"read_secret", t_read_secret, 60s},
	{"read_small_unaligned", t_read_small_unaligned, 60s},
	{"read_multi_batch", t_read_multi_batch, 60s},
	{"size_zero", t_size_zero, 60s},
	{"esrch_no_such_pid", t_esrch_no_such_pid, 60s},
	{"esrch_nonpositive_pid", t_esrch_nonpositive_pid, 60s},
	{"esrch_kernel_thread", t_esrch_kernel_thread, 60s},
	{"esrch_zombie", t_esrch_zombie, 60s},
	{"efault_unmapped", t_efault_unmapped, 60s},
	{"efault_prot_none", t_efault_prot_none, 60s},
	{"efault_hole_later_batch", t_efault_hole_later_batch, 60s},
	{"efault_kernel_address", t_efault_kernel_address, 60s},
	{"uffd_no_wait", t_uffd_no_wait, 30s},
	{"uffd_nowait_flag", t_uffd_nowait_flag, 30s},
	{"nowait_resident", t_nowait_resident, 60s},
	{"nowait_not_mapped", t_nowait_not_mapped, 60s},
	{"nowait_page_cache", t_nowait_page_cache, 60s},
	{"nowait_lock_contention", t_nowait_lock_contention, 120s},
	{"einval_unknown_flags", t_einval_unknown_flags, 60s},
	{"eperm_no_perfmon", t_eperm_no_perfmon, 60s},
	{"eperm_other_credentials", t_eperm_other_credentials, 60s},
	{"eperm_not_dumpable", t_eperm_not_dumpable, 60s},
	{"cap_sys_ptrace_allows", t_cap_sys_ptrace_allows, 60s},
	{"read_self", t_read_self, 60s},
	{"pid_namespace", t_pid_namespace, 60s},
	{"timer_callback_refused", t_timer_callback_refused, 60s},
	{"wq_callback_refused", t_wq_callback_refused, 60s},
	{"rcu_callback_refused", t_rcu_callback_refused, 60s},
	{"wrong_program_type", t_wrong_program_type, 60s},
	{"exit_race", t_exit_race, 120s},
	{"timing", t_timing, 300s},
};

} // namespace

namespace kt {

std::span<const Case> cases()
{
	return kCases;
}

std::string run_case(const Case &c)
{
	try {
		in_child(c.fn, c.timeout);
	} catch (const std::exception &e) {
		return e.what();
	}
	return {};
}

} // namespace kt
