// SPDX-License-Identifier: GPL-2.0
#include "reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "contract.hpp"
#include "copy_from_user_pid.h"
#include "helper_probe.hpp"
#include "libbpf_log.hpp"
#include "remote_read.h"
#include "remote_read.skel.h"
#include "remote_read_kfunc.skel.h"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace cfur::rel {

static_assert(RemoteReader::kSlots == RR_SLOTS && RemoteReader::kSlotSize == RR_SLOT_SIZE);
static_assert(kCopyNowait == BPF_F_COPY_NOWAIT && kCopyKnownFlags == BPF_F_COPY_ALL,
	      "contract.hpp's flags are not kmod/copy_from_user_pid.h's");

namespace {

// The end of what libbpf said, where the verifier's verdict is.
std::string libbpf_said()
{
	constexpr std::size_t kTail = 2000;
	const std::string &said = libbpf_messages();
	if (said.empty())
		return {};
	std::size_t from = said.size() > kTail ? said.size() - kTail : 0;
	return "; libbpf said:\n" + said.substr(from);
}

} // namespace

struct RemoteReader::Impl {
	Via via = Via::Helper;
	SkelPtr<::remote_read> helper;
	SkelPtr<::remote_read_kfunc> kfunc;
	char (*bufs)[RR_SLOT_SIZE] = nullptr;
	int fd = -1;

	void load_helper()
	{
		helper.reset(::remote_read::open_and_load());
		if (!helper) {
			int err = errno;
			if (!kernel_has_remote_helper())
				throw std::runtime_error(
					strf("this kernel has no bpf_copy_from_user_remote "
					     "(helper %d): run this in the patched kernel, "
					     "or use --via kfunc with copy_from_user_pid.ko",
					     kRemoteHelperId));
			throw std::runtime_error(strf("cannot load the BPF program: %s (are you root?)",
						      std::strerror(err)));
		}
		bufs = helper->bss->bufs;
		fd = bpf_program__fd(helper->progs.remote_read);
	}

	void load_kfunc()
	{
		if (!kernel_has_kfunc_module())
			throw std::runtime_error(strf("%s is absent: insmod copy_from_user_pid.ko "
						      "first (--via kfunc calls its kfunc)",
						      kKfuncModuleBtf));
		kfunc.reset(::remote_read_kfunc::open_and_load());
		if (!kfunc) {
			int err = errno;
			throw std::runtime_error(strf("cannot load the BPF program that calls "
						      "bpf_copy_from_user_pid: %s (are you root?)%s",
						      std::strerror(err), libbpf_said().c_str()));
		}
		bufs = kfunc->bss->bufs;
		fd = bpf_program__fd(kfunc->progs.remote_read);
	}
};

const char *via_name(Via via)
{
	return via == Via::Kfunc ? "kfunc" : "helper";
}

RemoteReader::RemoteReader(Via via) : impl_(std::make_unique<Impl>())
{
	impl_->via = via;
	libbpf_messages().clear();
	libbpf_set_print(keep_libbpf_message);
	if (via == Via::Kfunc)
		impl_->load_kfunc();
	else
		impl_->load_helper();
	libbpf_set_print(nullptr);
}

RemoteReader::~RemoteReader() = default;

Via RemoteReader::via() const
{
	return impl_->via;
}

std::span<std::byte> RemoteReader::slot(unsigned slot) const
{
	if (slot >= kSlots)
		throw std::out_of_range("slot");
	return {reinterpret_cast<std::byte *>(impl_->bufs[slot]), kSlotSize};
}

long RemoteReader::read(unsigned s, pid_t pid, std::uint64_t addr, std::uint32_t size,
			std::uint64_t flags)
{
	if (flags && impl_->via == Via::Helper)
		throw std::invalid_argument("the helper takes no flags");
	auto buf = slot(s);
	std::fill(buf.begin(), buf.end(), kPoison);
	rr_args args{};
	args.addr = addr;
	args.size = size;
	args.pid = pid;
	args.slot = s;
	args.flags = flags;
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.ctx_in = &args;
	opts.ctx_size_in = sizeof(args);
	if (bpf_prog_test_run_opts(impl_->fd, &opts))
		throw std::system_error(errno, std::generic_category(), "BPF_PROG_RUN");
	long ret = static_cast<long>(args.ret);
	return impl_->via == Via::Kfunc ? kfunc_to_helper(ret, size) : ret;
}

} // namespace cfur::rel
