// SPDX-License-Identifier: GPL-2.0
#include "paths.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "bench_args.h"
#include "bench_kfunc.skel.h"
#include "bench_remote.skel.h"
#include "bench_task.skel.h"
#include "bpf_load.hpp"
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

// The BPF objects, each loaded on its own: one that this kernel refuses
// skips its paths and no other.
struct Paths::Impl {
	SkelPtr<bench_remote> remote; // helper
	SkelPtr<bench_kfunc> kfunc;   // kfunc
	SkelPtr<bench_task> task;     // task-each, task-once
	std::map<PathId, std::string> skipped;
	std::map<pid_t, std::unique_ptr<FdCloser>> mem_fds;
	std::vector<std::byte> local = std::vector<std::byte>(BENCH_BUF_SIZE);

	void skip(std::initializer_list<PathId> ids, const std::string &why)
	{
		for (PathId id : ids)
			skipped[id] = why;
	}

	// Loads skel for the paths ids, or skips them with the kernel's reason.
	template <typename Skel>
	void load(SkelPtr<Skel> &skel, std::initializer_list<PathId> ids)
	{
		auto failed = load_object(skel);
		if (!failed)
			return;
		if (failed->error == EPERM || failed->error == EACCES)
			throw std::runtime_error(
				strf("cannot load the %s path's BPF program: %s: run "
				     "cfur-bench as root",
				     name_of(*ids.begin()).c_str(), std::strerror(failed->error)));
		skip(ids, failed->why);
	}

	static std::string name_of(PathId id)
	{
		for (const auto &p : all_paths())
			if (p.id == id)
				return p.name;
		return "?";
	}

	// buf: the object's .bss buffer the reads land in.
	BatchResult run_bpf(bpf_program *prog, const char *buf, const Batch &b)
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
		r.data = std::span<const std::byte>(reinterpret_cast<const std::byte *>(buf), b.size);
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
	auto &im = *impl_;
	if (kernel_has_remote_helper())
		im.load(im.remote, {PathId::Remote});
	else
		im.skip({PathId::Remote},
			strf("this kernel has no bpf_copy_from_user_remote (helper %d): boot the "
			     "patched kernel (make bench does)",
			     kRemoteHelperId));
	if (kernel_has_kfunc_module())
		im.load(im.kfunc, {PathId::Kfunc});
	else
		im.skip({PathId::Kfunc},
			strf("the copy_from_user_pid module is not loaded (%s is absent): insmod "
			     "kmod/copy_from_user_pid.ko",
			     kKfuncModuleBtf));
	// 6.1 has neither bpf_task_from_pid nor bpf_copy_from_user_task for
	// syscall programs; the first is the one libbpf would stop at.
	if (kernel_has_func("bpf_task_from_pid").value_or(true))
		im.load(im.task, {PathId::TaskEach, PathId::TaskOnce});
	else
		im.skip({PathId::TaskEach, PathId::TaskOnce},
			"this kernel has no bpf_task_from_pid kfunc (6.2 and later have it)");
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
		throw std::invalid_argument(
			strf("read size %u is not in 1..%d", b.size, BENCH_BUF_SIZE));
	if (auto why = skip_reason(id))
		throw std::logic_error("path skipped: " + *why);
	auto &im = *impl_;
	switch (id) {
	case PathId::Remote:
		return im.run_bpf(im.remote->progs.bench_remote, im.remote->bss->buf, b);
	case PathId::Kfunc:
		return im.run_bpf(im.kfunc->progs.bench_kfunc, im.kfunc->bss->buf, b);
	case PathId::TaskEach:
		return im.run_bpf(im.task->progs.bench_task_each, im.task->bss->buf, b);
	case PathId::TaskOnce:
		return im.run_bpf(im.task->progs.bench_task_once, im.task->bss->buf, b);
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
