// SPDX-License-Identifier: GPL-2.0
// Calls bpf_copy_from_user_remote once per BPF_PROG_RUN into a per-thread
// slot of a BPF global buffer that user space sees directly (mmap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <sys/types.h>

namespace cfur::rel {

inline constexpr std::byte kPoison{0xa5};

class RemoteReader {
public:
	// Loads the program; throws std::runtime_error with what to do if the
	// kernel lacks the helper or BPF is unavailable.
	RemoteReader();
	~RemoteReader();
	RemoteReader(const RemoteReader &) = delete;
	RemoteReader &operator=(const RemoteReader &) = delete;

	static constexpr unsigned kSlots = 16;
	static constexpr std::size_t kSlotSize = 16384;

	// The slot's buffer, as the helper left it.
	std::span<std::byte> slot(unsigned slot) const;

	// Fills the slot with kPoison, calls the helper, returns its value.
	// Throws std::system_error if BPF_PROG_RUN itself fails.
	long read(unsigned slot, pid_t pid, std::uint64_t addr, std::uint32_t size);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace cfur::rel
