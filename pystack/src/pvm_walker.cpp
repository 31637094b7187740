// SPDX-License-Identifier: GPL-2.0
// The py-spy-like baseline: bpf/stack_walk.h built with WALK_EVERY_READ,
// from user space with one process_vm_readv(2) per read. Every frame,
// code object, name, file name and location table is read every sample.
#include "walk_host_deps.hpp"

namespace pystack {
namespace {
#define WALK_EVERY_READ
#include "walk_host.hpp"
} // namespace

std::unique_ptr<Walker> make_pvm_walker(const WalkSettings &s, std::unique_ptr<Memory> mem,
					std::unique_ptr<SchedSource> sched)
{
	return std::make_unique<HostWalker>("pvm", true, s, std::move(mem), std::move(sched));
}

} // namespace pystack
