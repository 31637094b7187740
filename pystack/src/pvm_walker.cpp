// SPDX-License-Identifier: GPL-2.0
// The baseline: bpf/stack_walker.c's walk, read for read, from user space with
// one process_vm_readv(2) per read. Keep the two in step: the tool checks
// that both make the same number of reads.
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "walker.hpp"

namespace pystack {
namespace {

class PvmWalker final : public Walker {
public:
	PvmWalker(const py_layout &layout, pid_t pid)
		: l_(layout), pid_(pid), s_(std::make_unique<py_sample>())
	{
	}

	const char *name() const override { return "pvm"; }

	const py_sample &sample() override
	{
		py_sample &s = *s_;
		s.nthreads = 0;
		s.nframes = 0;
		s.reads = 0;
		s.error = 0;
		long ret = read_prefix(l_.runtime_read, l_.runtime);
		if (ret)
			return fail(ret);
		std::uint64_t interp = field64(l_.runtime_interp_head);
		if (!interp)
			return fail(-ESRCH);
		ret = read_prefix(l_.interp_read, interp);
		if (ret)
			return fail(ret);
		std::uint64_t tstate = field64(l_.interp_threads_head);
		for (int i = 0; i < PY_MAX_THREADS && thread_step(tstate); i++)
			;
		return s;
	}

private:
	const py_sample &fail(long err)
	{
		s_->error = static_cast<__s32>(err);
		return *s_;
	}

	long read_remote(void *dst, std::uint32_t size, std::uint64_t addr)
	{
		s_->reads++;
		syscalls_++;
		iovec local{dst, size};
		iovec remote{reinterpret_cast<void *>(addr), size};
		ssize_t n = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
		if (n == static_cast<ssize_t>(size))
			return 0;
		std::memset(dst, 0, size);
		return n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
	}

	long read_prefix(std::uint32_t size, std::uint64_t addr)
	{
		if (size > PY_READ_MAX)
			return -EFAULT;
		return read_remote(scratch_, size, addr);
	}

	std::uint64_t field64(std::uint32_t off) const
	{
		std::uint64_t v = 0;
		if (off <= PY_READ_MAX - sizeof(v))
			std::memcpy(&v, scratch_ + off, sizeof(v));
		return v;
	}

	std::uint32_t field32(std::uint32_t off) const
	{
		std::uint32_t v = 0;
		if (off <= PY_READ_MAX - sizeof(v))
			std::memcpy(&v, scratch_ + off, sizeof(v));
		return v;
	}

	long read_str(std::uint64_t addr, char *dst, std::uint32_t max, __u16 *len, __u8 *kind)
	{
		*len = 0;
		*kind = 0;
		if (!addr)
			return 0;
		long ret = read_prefix(l_.ascii_size, addr);
		if (ret)
			return ret;
		std::uint64_t length = field64(l_.str_length);
		std::uint32_t state = field32(l_.str_state);
		if (!((state >> (l_.compact_shift & 31)) & 1))
			return 0;
		std::uint32_t k = (state >> (l_.kind_shift & 31)) & 7;
		if (k != 1 && k != 2 && k != 4)
			return 0;
		std::uint32_t off = ((state >> (l_.ascii_shift & 31)) & 1) ? l_.ascii_size : l_.compact_size;
		std::uint32_t n = static_cast<std::uint32_t>(std::min<std::uint64_t>(length, max)) * k;
		n = std::min(n, max);
		ret = read_remote(dst, n, addr + off);
		if (ret)
			return ret;
		*len = static_cast<__u16>(n);
		*kind = static_cast<__u8>(k);
		return 0;
	}

	// One frame; false when the chain ends or the walk must stop.
	bool frame_step(std::uint64_t &frame, py_thread &t)
	{
		py_sample &s = *s_;
		if (!frame)
			return false;
		if (t.depth >= PY_MAX_DEPTH || s.nframes >= PY_MAX_FRAMES) {
			t.truncated = 1;
			return false;
		}
		long ret = read_prefix(l_.frame_read, frame);
		if (ret)
			return frame_failed(t, ret);
		std::uint64_t code = field64(l_.frame_code);
		frame = field64(l_.frame_previous);
		ret = read_prefix(l_.code_read, code);
		if (ret)
			return frame_failed(t, ret);
		std::uint64_t name = field64(l_.code_name);
		std::uint64_t file = field64(l_.code_filename);
		py_frame &f = s.frames[s.nframes];
		f.code = code;
		ret = read_str(name, f.name, PY_NAME_MAX, &f.name_len, &f.name_kind);
		if (ret)
			return frame_failed(t, ret);
		ret = read_str(file, f.file, PY_FILE_MAX, &f.file_len, &f.file_kind);
		if (ret)
			return frame_failed(t, ret);
		s.nframes++;
		t.depth++;
		return true;
	}

	static bool frame_failed(py_thread &t, long err)
	{
		t.error = static_cast<__s32>(err);
		return false;
	}

	// One thread; false when the list ends or the walk must stop.
	bool thread_step(std::uint64_t &tstate)
	{
		py_sample &s = *s_;
		if (!tstate || s.nthreads >= PY_MAX_THREADS)
			return false;
		py_thread &t = s.threads[s.nthreads++];
		t = py_thread{};
		t.first = s.nframes;
		long ret = read_prefix(l_.tstate_read, tstate);
		if (ret) {
			t.error = static_cast<__s32>(ret);
			return false;
		}
		t.native_tid = field64(l_.tstate_native_tid);
		tstate = field64(l_.tstate_next);
		std::uint64_t cframe = field64(l_.tstate_cframe);
		if (!cframe)
			return true;
		ret = read_prefix(l_.cframe_read, cframe);
		if (ret) {
			t.error = static_cast<__s32>(ret);
			return true;
		}
		std::uint64_t frame = field64(l_.cframe_current_frame);
		while (frame_step(frame, t))
			;
		return true;
	}

	py_layout l_;
	pid_t pid_;
	std::unique_ptr<py_sample> s_;
	char scratch_[PY_READ_MAX] = {};
};

} // namespace

std::unique_ptr<Walker> make_pvm_walker(const py_layout &layout, pid_t pid)
{
	return std::make_unique<PvmWalker>(layout, pid);
}

} // namespace pystack
