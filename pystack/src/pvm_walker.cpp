// SPDX-License-Identifier: GPL-2.0
// The baseline: the walk of bpf/stack_walk.h, the very code the BPF
// programs run, from user space, with one process_vm_readv(2) per read.
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "walker.hpp"

namespace pystack {
namespace {

// What stack_walk.h expects of its includer. Its state is this file's:
// one process_vm_readv walker at a time (PvmWalker checks).
using walk_reader_t = pid_t;

py_layout layout;
py_sample sample;
char scratch[PY_READ_MAX];
std::uint64_t read_calls;

int reader_ok(walk_reader_t) { return 1; }

long read_remote(void *dst, __u32 size, __u64 addr, walk_reader_t pid)
{
	read_calls++;
	iovec local{dst, size};
	iovec remote{reinterpret_cast<void *>(addr), size};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == static_cast<ssize_t>(size))
		return 0;
	std::memset(dst, 0, size);
	return n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
}

template <typename T>
T field(__u32 off)
{
	T v = 0;
	if (off <= PY_READ_MAX - sizeof(v))
		std::memcpy(&v, scratch + off, sizeof(v));
	return v;
}

__u64 field64(__u32 off) { return field<__u64>(off); }
__u32 field32(__u32 off) { return field<__u32>(off); }

// bpf_loop(): callback(i, ctx) for i below n, until it returns nonzero.
template <typename Ctx>
long bpf_loop(__u32 n, long (*callback)(__u32, Ctx *), Ctx *ctx, __u64)
{
	__u32 i = 0;
	while (i < n && !callback(i++, ctx))
		;
	return i;
}

#include "stack_walk.h"

class PvmWalker final : public Walker {
public:
	PvmWalker(const py_layout &l, pid_t pid) : pid_(pid)
	{
		if (in_use_)
			throw std::logic_error("only one process_vm_readv walker at a time");
		in_use_ = true;
		layout = l;
	}
	~PvmWalker() override { in_use_ = false; }
	PvmWalker(const PvmWalker &) = delete;
	PvmWalker &operator=(const PvmWalker &) = delete;

	const char *name() const override { return "pvm"; }

	const py_sample &sample() override
	{
		std::uint64_t before = read_calls;
		walk_interpreter(pid_);
		syscalls_ += read_calls - before;
		return pystack::sample;
	}

private:
	static inline bool in_use_ = false;
	pid_t pid_;
};

} // namespace

std::unique_ptr<Walker> make_pvm_walker(const py_layout &layout, pid_t pid)
{
	return std::make_unique<PvmWalker>(layout, pid);
}

} // namespace pystack
