// SPDX-License-Identifier: GPL-2.0
// The two BPF readers: peek.c with the helper, peek_kfunc.c with the
// module's kfunc. The same program shape, one read of up to PEEK_CHUNK
// bytes per BPF_PROG_RUN; only what success returns differs.
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "helper_probe.hpp"
#include "peek.skel.h"
#include "peek_args.h"
#include "peek_kfunc.skel.h"
#include "reader.hpp"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace cfur {

namespace {

struct ReaderInfo {
	const char *kind;
	const char *function;
	const char *origin;
	bool returns_size; // success is the size (the helper), else 0 (the kfunc)
};

constexpr ReaderInfo kHelper = {"helper", "bpf_copy_from_user_remote",
				"helper 212 of the patched kernel", true};
constexpr ReaderInfo kKfunc = {"kfunc", "bpf_copy_from_user_pid",
			       "the kfunc of the copy_from_user_pid module", false};

template <typename Skel>
class BpfReader final : public Reader {
public:
	BpfReader(SkelPtr<Skel> skel, const ReaderInfo &info) : skel_(std::move(skel)), info_(info)
	{
	}

	const char *kind() const override { return info_.kind; }
	const char *function() const override { return info_.function; }
	const char *origin() const override { return info_.origin; }

	ReadStatus read(pid_t pid, std::uint64_t addr, std::span<std::byte> out) override
	{
		int prog_fd = bpf_program__fd(skel_->progs.peek);
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
			__s64 ok = info_.returns_size ? static_cast<__s64>(n) : 0;
			if (args.ret != ok)
				return {static_cast<int>(args.ret < 0 ? args.ret : -EIO),
					args.ret < 0
						? explain(static_cast<int>(args.ret), pid,
							  addr + off, n, info_.function)
						: strf("%s returned %lld, not %lld", info_.function,
						       static_cast<long long>(args.ret),
						       static_cast<long long>(ok))};
			std::memcpy(out.data() + off, skel_->bss->data, n);
		}
		return {};
	}

private:
	SkelPtr<Skel> skel_;
	ReaderInfo info_;
};

// libbpf's warnings only, to stderr: what a kfunc program that should load
// and did not has to say (the verifier's log among them).
int warnings_only(libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? std::vfprintf(stderr, fmt, args) : 0;
}

} // namespace

std::unique_ptr<Reader> make_helper_reader()
{
	// A kernel without the helper refuses the program at length: quiet.
	libbpf_set_print(nullptr);
	SkelPtr<peek> skel(peek::open_and_load());
	if (!skel) {
		int err = errno;
		if (!kernel_has_remote_helper())
			throw std::runtime_error(
				strf("this kernel has no bpf_copy_from_user_remote (helper %d): run cfur-peek "
				     "in the patched kernel (make demo boots it), or use --via kfunc with "
				     "kmod/copy_from_user_pid.ko loaded",
				     kRemoteHelperId));
		throw std::runtime_error(strf("cannot load the helper's BPF program: %s (are you root?)",
					      std::strerror(err)));
	}
	return std::make_unique<BpfReader<peek>>(std::move(skel), kHelper);
}

std::unique_ptr<Reader> make_kfunc_reader()
{
	if (!kernel_has_kfunc_module())
		throw std::runtime_error(
			strf("the copy_from_user_pid module is not loaded (%s is absent): insmod "
			     "kmod/copy_from_user_pid.ko (make -C kmod builds it for the running kernel), "
			     "or use --via helper in the patched kernel",
			     kKfuncModuleBtf));
	libbpf_set_print(warnings_only);
	SkelPtr<peek_kfunc> skel(peek_kfunc::open_and_load());
	int err = errno;
	libbpf_set_print(nullptr);
	if (!skel)
		throw std::runtime_error(strf("cannot load the kfunc's BPF program: %s (are you root? "
					      "libbpf's reasons, if any, are above)",
					      std::strerror(err)));
	return std::make_unique<BpfReader<peek_kfunc>>(std::move(skel), kKfunc);
}

} // namespace cfur
