// SPDX-License-Identifier: GPL-2.0
#include "reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/uio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "peek.skel.h"
#include "peek_args.h"
#include "helper_probe.hpp"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace cfur {

struct HelperReader::Impl {
	SkelPtr<peek> skel;
};

HelperReader::HelperReader() : impl_(std::make_unique<Impl>())
{
	libbpf_set_print(nullptr);
	impl_->skel.reset(peek::open_and_load());
	if (impl_->skel)
		return;
	int err = errno;
	if (!kernel_has_remote_helper())
		throw std::runtime_error(strf(
			"this kernel has no bpf_copy_from_user_remote (helper %d): run cfur-peek "
			"in the patched kernel (make demo boots it)",
			kRemoteHelperId));
	throw std::runtime_error(
		strf("cannot load the BPF program: %s (are you root?)", std::strerror(err)));
}

HelperReader::~HelperReader() = default;

ReadStatus HelperReader::read(pid_t pid, std::uint64_t addr, std::span<std::byte> out)
{
	auto *skel = impl_->skel.get();
	int prog_fd = bpf_program__fd(skel->progs.peek);
	for (std::size_t off = 0; off < out.size(); off += PEEK_CHUNK) {
		std::size_t n = std::min<std::size_t>(PEEK_CHUNK, out.size() - off);
		peek_args args{};
		args.pid = pid;
		args.size = static_cast<__u32>(n);
		args.addr = addr + off;
		bpf_test_run_opts opts{};
		opts.sz = sizeof(opts);
		opts.ctx_in = &args;
		opts.ctx_size_in = sizeof(args);
		if (bpf_prog_test_run_opts(prog_fd, &opts))
			return {-errno, strf("BPF_PROG_RUN failed: %s", std::strerror(errno))};
		if (args.ret != static_cast<__s64>(n))
			return {static_cast<int>(args.ret < 0 ? args.ret : -EIO),
				explain(static_cast<int>(args.ret), pid, addr + off, n)};
		std::memcpy(out.data() + off, skel->bss->data, n);
	}
	return {};
}

ReadStatus read_with_process_vm_readv(pid_t pid, std::uint64_t addr, std::span<std::byte> out)
{
	iovec local{out.data(), out.size()};
	iovec remote{reinterpret_cast<void *>(addr), out.size()};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == static_cast<ssize_t>(out.size()))
		return {};
	int err = n < 0 ? errno : EFAULT;
	return {-err, strf("process_vm_readv: %s", n < 0 ? std::strerror(err) : "short read")};
}

std::string explain(int error, pid_t pid, std::uint64_t addr, std::size_t size)
{
	switch (-error) {
	case ESRCH:
		return strf("no process with pid %d in this pid namespace, or it has no user "
			    "memory (a kernel thread or an exited process)",
			    pid);
	case EFAULT:
		return strf("pid %d cannot be read at %#llx (+%zu bytes): the range is not "
			    "mapped, or not readable",
			    pid, static_cast<unsigned long long>(addr), size);
	default:
		return strf("the helper failed: %s", std::strerror(-error));
	}
}

} // namespace cfur
