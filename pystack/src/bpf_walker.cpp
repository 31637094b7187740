// SPDX-License-Identifier: GPL-2.0
// The BPF walkers: one BPF_PROG_RUN per sample of bpf/stack_walker.c
// (bpf_copy_from_user_remote) or of its WALK_WITH_TASK build
// (bpf_task_from_pid + bpf_copy_from_user_task).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "walker.hpp"
// the skeletons name struct py_layout and struct py_sample
#include "stack_walker.skel.h"
#include "stack_walker_task.skel.h"

#include "helper_probe.hpp"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace pystack {
namespace {

template <typename Skel>
class BpfWalker final : public Walker {
public:
	BpfWalker(const char *name, const py_layout &layout, pid_t pid) : name_(name)
	{
		skel_.reset(Skel::open());
		if (!skel_)
			throw std::runtime_error(cfur::strf("opening the %s walker's BPF skeleton failed: %s",
							    name, std::strerror(errno)));
		skel_->rodata->layout = layout;
		skel_->rodata->target_pid = pid;
		if (int err = Skel::load(skel_.get()))
			throw std::runtime_error(cfur::strf("loading the %s walker's BPF program failed: "
							    "%s (the verifier's log is above; BPF "
							    "needs root)",
							    name, std::strerror(-err)));
		fd_ = bpf_program__fd(skel_->progs.walk_stacks);
	}

	const char *name() const override { return name_; }

	const py_sample &sample() override
	{
		bpf_test_run_opts opts{};
		opts.sz = sizeof(opts);
		syscalls_++;
		if (bpf_prog_test_run_opts(fd_, &opts) != 0)
			throw std::runtime_error(cfur::strf("BPF_PROG_RUN of the %s walker failed: %s",
							    name_, std::strerror(errno)));
		return skel_->bss->sample;
	}

private:
	const char *name_;
	cfur::SkelPtr<Skel> skel_;
	int fd_ = -1;
};

} // namespace

std::unique_ptr<Walker> make_bpf_walker(const py_layout &layout, pid_t pid)
{
	if (!cfur::kernel_has_remote_helper())
		throw std::runtime_error("this kernel has no bpf_copy_from_user_remote (or BPF needs root "
					 "here): boot the patched kernel (make pystack-demo does), or "
					 "use --walker task or pvm");
	return std::make_unique<BpfWalker<stack_walker>>("bpf", layout, pid);
}

std::unique_ptr<Walker> make_task_walker(const py_layout &layout, pid_t pid)
{
	return std::make_unique<BpfWalker<stack_walker_task>>("task", layout, pid);
}

} // namespace pystack
