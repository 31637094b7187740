// SPDX-License-Identifier: GPL-2.0
// A CPython 3.11 process's memory, made up for the walk's tests: the
// runtime, the main interpreter, threads with a data-stack chunk full of
// frames, code objects with names and location tables, laid out with
// pystack's own offsets table. FakeMemory serves reads of it and counts
// them; a hook can change it after a read, as a running thread would.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "offsets.hpp"
#include "versions.hpp"
#include "walker.hpp"

namespace pystack::test {

class FakeMemory final : public Memory {
public:
	long read(void *dst, std::size_t size, std::uint64_t addr, pid_t) override
	{
		calls_++;
		auto it = regions_.upper_bound(addr);
		if (it != regions_.begin()) {
			--it;
			const auto &bytes = it->second;
			if (addr >= it->first && addr + size <= it->first + bytes.size()) {
				std::memcpy(dst, bytes.data() + (addr - it->first), size);
				if (on_read)
					on_read(addr, size);
				return 0;
			}
		}
		std::memset(dst, 0, size);
		return -EFAULT;
	}
	std::uint64_t calls() const override { return calls_; }

	// A new zeroed region of `size` bytes; its address.
	std::uint64_t alloc(std::size_t size)
	{
		std::uint64_t at = next_;
		regions_[at].assign(size, 0);
		next_ += (size + 4095) / 4096 * 4096 + 4096;
		return at;
	}
	void put(std::uint64_t addr, const void *src, std::size_t size)
	{
		auto it = regions_.upper_bound(addr);
		--it;
		std::memcpy(it->second.data() + (addr - it->first), src, size);
	}
	void put64(std::uint64_t addr, std::uint64_t v) { put(addr, &v, 8); }
	void put32(std::uint64_t addr, std::uint32_t v) { put(addr, &v, 4); }

	// called after each read that succeeded
	std::function<void(std::uint64_t addr, std::size_t size)> on_read;

private:
	std::map<std::uint64_t, std::vector<std::uint8_t>> regions_;
	std::uint64_t next_ = 0x10000000;
	std::uint64_t calls_ = 0;
};

// Scheduler states by thread id; threads not listed are unknown.
class FakeSched final : public SchedSource {
public:
	int sched(pid_t, std::uint64_t tid, py_sched &out) override
	{
		calls_++;
		auto it = states.find(tid);
		if (it == states.end())
			return -1;
		out = it->second;
		if (on_sched)
			on_sched(tid, out);
		return 1;
	}
	bool knows_switches() const override { return true; }
	std::uint64_t calls() const override { return calls_; }

	std::map<std::uint64_t, py_sched> states;
	std::function<void(std::uint64_t tid, py_sched &)> on_sched;

private:
	std::uint64_t calls_ = 0;
};

// The location table of a function whose instruction i is on line
// firstlineno + i (NO_COLUMNS entries of one code unit each).
inline std::vector<std::uint8_t> one_line_per_instruction(int instructions)
{
	std::vector<std::uint8_t> t;
	for (int i = 0; i < instructions; i++) {
		t.push_back(0x80 | (13 << 3)); // NO_COLUMNS, 1 code unit
		t.push_back(i == 0 ? 0 : 2);   // svarint: line delta 0, then +1
	}
	return t;
}

class FakePython {
public:
	FakePython(FakeMemory &mem, const PyOffsets &o) : mem_(mem), o_(o)
	{
		code_type = mem.alloc(64);
		runtime = mem.alloc(1024);
		interp = mem.alloc(1024);
		mem.put64(runtime + o.runtime_interp_main, interp);
		mem.put64(interp + o.interp_runtime, runtime);
	}

	std::uint64_t str(const std::string &s)
	{
		std::uint64_t at = mem_.alloc(o_.ascii_size + s.size() + 1);
		mem_.put64(at + o_.str_length, s.size());
		std::uint32_t state = (1u << (o_.str_kind_bit - o_.str_state * 8)) |
				      (1u << (o_.str_compact_bit - o_.str_state * 8)) |
				      (1u << (o_.str_ascii_bit - o_.str_state * 8));
		mem_.put32(at + o_.str_state, state);
		mem_.put(at + o_.ascii_size, s.data(), s.size());
		return at;
	}

	std::uint64_t bytes(const std::vector<std::uint8_t> &b)
	{
		std::uint64_t at = mem_.alloc(o_.bytes_data + b.size() + 1);
		mem_.put64(at + o_.var_size, b.size());
		mem_.put(at + o_.bytes_data, b.data(), b.size());
		return at;
	}

	// A code object named `name` in `file` whose instruction i is on line
	// firstlineno + i; at `at` if given (an address taken again).
	std::uint64_t code(const std::string &name, const std::string &file, int firstlineno,
			   std::uint64_t at = 0)
	{
		if (!at)
			at = mem_.alloc(o_.code_adaptive + 2 * kCodeUnits);
		mem_.put64(at + o_.object_type, code_type);
		mem_.put64(at + o_.var_size, kCodeUnits);
		mem_.put64(at + o_.code_consts, ++serial_);
		mem_.put64(at + o_.code_name, str(name));
		mem_.put64(at + o_.code_filename, str(file));
		mem_.put64(at + o_.code_qualname, str("Q." + name));
		mem_.put64(at + o_.code_linetable, bytes(one_line_per_instruction(100)));
		mem_.put32(at + o_.code_firstlineno, static_cast<std::uint32_t>(firstlineno));
		return at;
	}

	struct Frame {
		std::uint64_t code;
		int lasti;
	};

	// A thread whose frames (outermost first) lie in one chunk; `outside`
	// frames of them (counted from the innermost) elsewhere, as a
	// generator's frame is. Returns its PyThreadState.
	std::uint64_t thread(std::uint64_t tid, const std::vector<Frame> &frames, int outside = 0)
	{
		std::uint64_t ts = mem_.alloc(512), cframe = mem_.alloc(64);
		std::uint64_t chunk = mem_.alloc(16384);
		mem_.put64(chunk + o_.chunk_size, 16384);
		mem_.put64(ts + o_.tstate_interp, interp);
		mem_.put64(ts + o_.tstate_native_tid, tid);
		mem_.put64(ts + o_.tstate_thread_id, tid * 1000);
		mem_.put64(ts + o_.tstate_cframe, cframe);
		mem_.put64(ts + o_.tstate_chunk, chunk);
		std::uint64_t at = chunk + o_.chunk_data, previous = 0;
		for (std::size_t i = 0; i < frames.size(); i++) {
			bool elsewhere = i + outside >= frames.size();
			std::uint64_t f = elsewhere ? mem_.alloc(kFrameSize) : at;
			if (!elsewhere)
				at += kFrameSize;
			mem_.put64(f + o_.frame_code, frames[i].code);
			mem_.put64(f + o_.frame_previous, previous);
			mem_.put64(f + o_.frame_prev_instr,
				   frames[i].code + o_.code_adaptive + 2 * frames[i].lasti);
			previous = f;
		}
		mem_.put64(ts + o_.tstate_stack_top, at);
		mem_.put64(cframe + o_.cframe_current_frame, previous);
		// the thread list: newest first, as CPython keeps it
		mem_.put64(ts + o_.tstate_next, head_);
		mem_.put64(interp + o_.interp_threads_head, ts);
		head_ = ts;
		return ts;
	}

	static constexpr std::uint64_t kFrameSize = 128;
	static constexpr std::uint64_t kCodeUnits = 128; // instructions of a code object
	std::uint64_t code_type = 0, runtime = 0, interp = 0;

private:
	FakeMemory &mem_;
	PyOffsets o_;
	std::uint64_t head_ = 0;
	std::uint64_t serial_ = 0;
};

} // namespace pystack::test
