// SPDX-License-Identifier: GPL-2.0
// The ways of taking a sample, all making the same reads: the BPF program
// (one BPF_PROG_RUN that reads with bpf_copy_from_user_remote, "bpf"), the
// same program reading with bpf_task_from_pid + bpf_copy_from_user_task
// ("task", what a program can do without the new helper), and the walk from
// user space with one process_vm_readv(2) per read, as Austin does ("pvm").
#pragma once

#include <linux/types.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>

#include "pystack_layout.h"

namespace pystack {

class Walker {
public:
	virtual ~Walker() = default;
	virtual const char *name() const = 0;
	// Takes one sample. The result stays valid until the next call.
	virtual const py_sample &sample() = 0;
	// System calls this walker has made for its samples so far.
	std::uint64_t syscalls() const { return syscalls_; }

protected:
	std::uint64_t syscalls_ = 0;
};

// Throws std::runtime_error if the program cannot be loaded, saying why
// (no helper in this kernel, no privilege).
std::unique_ptr<Walker> make_bpf_walker(const py_layout &layout, pid_t pid);
std::unique_ptr<Walker> make_task_walker(const py_layout &layout, pid_t pid);
std::unique_ptr<Walker> make_pvm_walker(const py_layout &layout, pid_t pid);

} // namespace pystack
