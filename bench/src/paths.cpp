// SPDX-License-Identifier: GPL-2.0
#include "paths.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <stdexcept>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "bench.skel.h"
#include "bench_args.h"
#include "helper_probe.hpp"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace cfur::bench {

namespace {

// Reads per BPF_PROG_RUN: long enough to hide the syscall, short enough
// that one run stays well under a second even under TCG.
constexpr std::uint32_t kReadsPerRun = 4096;

double now_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

using Skel = SkelPtr<::bench>;

struct FdCloser {
	int fd = -1;
	FdCloser() = default;
	explicit FdCloser(int f) : fd(f) {}
	FdCloser(const FdCloser &) = delete;
	FdCloser &operator=(const FdCloser &) = delete;
	~FdCloser()
	{
		if (fd >= 0)
			close(fd);
	}
};

} // namespace

const std::vector<PathInfo> &all_paths()
{
	static const std::vector<PathInfo> paths = {
		{PathId::Remote, "helper", "bpf_copy_from_user_remote per read (syscall prog, bpf_loop)"},
		{PathId::TaskEach, "task-each",
		 "bpf_task_from_pid + bpf_copy_from_user_task + bpf_task_release per read"},
		{PathId::TaskOnce, "task-once",
		 "one bpf_task_from_pid per batch, bpf_copy_from_user_task per read"},
		{PathId::ProcessVmReadv, "pvm_readv", "process_vm_readv(2), one call per read"},
		{PathId::ProcMem, "proc-mem", "pread(2) on /proc/PID/mem, one call per read"},
	};
	return paths;
}

struct Paths::Impl {
	Skel skel;
	std::map<PathId, std::string> skipped;
	std::map<pid_t, std::unique_ptr<FdCloser>> mem_fds;
	std::vector<std::byte> local = std::vector<std::byte>(BENCH_BUF_SIZE);

	bool load(bool with_remote, bool with_task)
	{
		Skel s(::bench::open());
		if (!s)
			throw std::runtime_error(strf("cannot open the BPF object: %s", std::strerror(errno)));
		bpf_program__set_autoload(s->progs.bench_remote, with_remote);
		bpf_program__set_autoload(s->progs.bench_task_each, with_task);
		bpf_program__set_autoload(s->progs.bench_task_once, with_task);
		if (::bench::load(s.get()))
			return false;
		skel = std::move(s);
		return true;
	}

	BatchResult run_bpf(bpf_program *prog, const Batch &b)
	{
		bench_args args{};
		args.addr = b.addr;
		args.size = b.size;
		args.pid = b.pid;
		args.chase = b.chase;
		BatchResult r;
		int fd = bpf_program__fd(prog);
		for (std::uint32_t left = b.reads; left > 0 && r.error == 0;) {
			args.reads = std::min(left, kReadsPerRun);
			bpf_test_run_opts opts{};
			opts.sz = sizeof(opts);
			opts.ctx_in = &args;
			opts.ctx_size_in = sizeof(args);
			double t0 = now_ns();
			int err = bpf_prog_test_run_opts(fd, &opts);
			r.ns += now_ns() - t0;
			if (err) {
				r.error = -errno;
				break;
			}
			r.done += args.done;
			r.error = args.error;
			r.last = args.last;
			if (args.done != args.reads && r.error == 0)
				r.error = -EIO;
			left -= args.reads;
		}
		r.data = std::span<const std::byte>(reinterpret_cast<const std::byte *>(skel->bss->buf),
						    b.size);
		return r;
	}

	// One system call per read, as Austin and py-spy do.
	template <typename ReadOne>
	BatchResult run_user(const Batch &b, ReadOne read_one)
	{
		BatchResult r;
		std::uint64_t addr = b.addr;
		double t0 = now_ns();
		for (std::uint32_t i = 0; i < b.reads; ++i) {
			ssize_t n = read_one(addr);
			if (n != static_cast<ssize_t>(b.size)) {
				r.error = n < 0 ? -errno : -EFAULT;
				break;
			}
			r.last = addr;
			++r.done;
			if (b.chase)
				std::memcpy(&addr, local.data(), sizeof(addr));
		}
		r.ns = now_ns() - t0;
		r.data = std::span<const std::byte>(local.data(), b.size);
		return r;
	}

	int mem_fd(pid_t pid)
	{
		auto &f = mem_fds[pid];
		if (!f) {
			int fd = open(strf("/proc/%d/mem", pid).c_str(), O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return -1;
			f = std::make_unique<FdCloser>(fd);
		}
		return f->fd;
	}
};

Paths::Paths() : impl_(std::make_unique<Impl>())
{
	libbpf_set_print(nullptr);
	bool remote = kernel_has_remote_helper();
	if (!remote)
		impl_->skipped[PathId::Remote] = strf(
			"this kernel has no bpf_copy_from_user_remote (helper %d)", kRemoteHelperId);
	if (impl_->load(remote, true))
		return;
	int err = errno;
	std::string why = strf("its programs do not load here (%s)", std::strerror(err));
	impl_->skipped[PathId::TaskEach] = why;
	impl_->skipped[PathId::TaskOnce] = why;
	if (remote && impl_->load(true, false))
		return;
	if (remote)
		impl_->skipped[PathId::Remote] = why;
	if (!impl_->load(false, false))
		throw std::runtime_error(strf("cannot load any BPF program: %s (are you root?)",
					      std::strerror(errno)));
}

Paths::~Paths() = default;

std::optional<std::string> Paths::skip_reason(PathId id) const
{
	auto it = impl_->skipped.find(id);
	if (it == impl_->skipped.end())
		return std::nullopt;
	return it->second;
}

BatchResult Paths::run(PathId id, const Batch &b)
{
	if (b.size == 0 || b.size > BENCH_BUF_SIZE)
		throw std::invalid_argument(strf("read size %u is not in 1..%d", b.size, BENCH_BUF_SIZE));
	if (auto why = skip_reason(id))
		throw std::logic_error("path skipped: " + *why);
	auto &im = *impl_;
	switch (id) {
	case PathId::Remote:
		return im.run_bpf(im.skel->progs.bench_remote, b);
	case PathId::TaskEach:
		return im.run_bpf(im.skel->progs.bench_task_each, b);
	case PathId::TaskOnce:
		return im.run_bpf(im.skel->progs.bench_task_once, b);
	case PathId::ProcessVmReadv:
		return im.run_user(b, [&](std::uint64_t addr) {
			iovec local{im.local.data(), b.size};
			iovec remote{reinterpret_cast<void *>(addr), b.size};
			return process_vm_readv(b.pid, &local, 1, &remote, 1, 0);
		});
	case PathId::ProcMem: {
		int fd = im.mem_fd(b.pid);
		if (fd < 0) {
			BatchResult r;
			r.error = -errno;
			return r;
		}
		return im.run_user(b, [&](std::uint64_t addr) {
			return pread(fd, im.local.data(), b.size, static_cast<off_t>(addr));
		});
	}
	}
	throw std::logic_error("unknown path");
}

} // namespace cfur::bench
