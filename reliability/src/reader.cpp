// SPDX-License-Identifier: GPL-2.0
#include "reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "helper_probe.hpp"
#include "skel_ptr.hpp"
#include "remote_read.h"
#include "remote_read.skel.h"
#include "strf.hpp"

namespace cfur::rel {

static_assert(RemoteReader::kSlots == RR_SLOTS && RemoteReader::kSlotSize == RR_SLOT_SIZE);

struct RemoteReader::Impl {
	SkelPtr<::remote_read> skel;
	int fd = -1;
};

RemoteReader::RemoteReader() : impl_(std::make_unique<Impl>())
{
	libbpf_set_print(nullptr);
	impl_->skel.reset(::remote_read::open_and_load());
	if (!impl_->skel) {
		int err = errno;
		if (!kernel_has_remote_helper())
			throw std::runtime_error(strf("this kernel has no bpf_copy_from_user_remote "
						      "(helper %d): run this in the patched kernel",
						      kRemoteHelperId));
		throw std::runtime_error(strf("cannot load the BPF program: %s (are you root?)",
					      std::strerror(err)));
	}
	impl_->fd = bpf_program__fd(impl_->skel->progs.remote_read);
}

RemoteReader::~RemoteReader() = default;

std::span<std::byte> RemoteReader::slot(unsigned slot) const
{
	if (slot >= kSlots)
		throw std::out_of_range("slot");
	return {reinterpret_cast<std::byte *>(impl_->skel->bss->bufs[slot]), kSlotSize};
}

long RemoteReader::read(unsigned s, pid_t pid, std::uint64_t addr, std::uint32_t size)
{
	auto buf = slot(s);
	std::fill(buf.begin(), buf.end(), kPoison);
	rr_args args{};
	args.addr = addr;
	args.size = size;
	args.pid = pid;
	args.slot = s;
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.ctx_in = &args;
	opts.ctx_size_in = sizeof(args);
	if (bpf_prog_test_run_opts(impl_->fd, &opts))
		throw std::system_error(errno, std::generic_category(), "BPF_PROG_RUN");
	return static_cast<long>(args.ret);
}

} // namespace cfur::rel
