// SPDX-License-Identifier: GPL-2.0
// The Austin-like baseline: bpf/stack_walk.h, the very walk the BPF
// programs run (whole stack chunks, cached code objects), from user space
// with one process_vm_readv(2) per read.
#include "walk_host_deps.hpp"

namespace pystack {
namespace {
#include "walk_host.hpp"
} // namespace

std::unique_ptr<Walker> make_austin_walker(const WalkSettings &s, std::unique_ptr<Memory> mem,
					   std::unique_ptr<SchedSource> sched)
{
	return std::make_unique<HostWalker>("austin", false, s, std::move(mem), std::move(sched));
}

} // namespace pystack
