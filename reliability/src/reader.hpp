// SPDX-License-Identifier: GPL-2.0
// Calls bpf_copy_from_user_remote (the helper) or bpf_copy_from_user_pid
// (the kfunc of copy_from_user_pid.ko) once per BPF_PROG_RUN into a
// per-thread slot of a BPF global buffer that user space sees directly
// (mmap). Either way read() answers in the helper's terms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <sys/types.h>

namespace cfur::rel {

inline constexpr std::byte kPoison{0xa5};

// Which call the reader makes.
enum class Via { Helper, Kfunc };

const char *via_name(Via via); // "helper", "kfunc"

class RemoteReader {
public:
	// Loads the program that makes the call; throws std::runtime_error
	// with what to do if the kernel lacks the helper, the module is not
	// loaded, or BPF is unavailable.
	explicit RemoteReader(Via via = Via::Helper);
	~RemoteReader();
	RemoteReader(const RemoteReader &) = delete;
	RemoteReader &operator=(const RemoteReader &) = delete;

	static constexpr unsigned kSlots = 16;
	static constexpr std::size_t kSlotSize = 16384;

	Via via() const;

	// The slot's buffer, as the call left it.
	std::span<std::byte> slot(unsigned slot) const;

	// Fills the slot with kPoison, makes the call, returns its value in
	// the helper's terms: size for a whole read (the kfunc's 0), else
	// -errno (see kfunc_to_helper() in contract.hpp). flags go to the
	// kfunc; the helper has none (std::invalid_argument if not 0).
	// Throws std::system_error if BPF_PROG_RUN itself fails.
	long read(unsigned slot, pid_t pid, std::uint64_t addr, std::uint32_t size,
		  std::uint64_t flags = 0);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace cfur::rel
