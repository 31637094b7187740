// SPDX-License-Identifier: GPL-2.0
// Reading another process's memory: through bpf_copy_from_user_remote (a
// syscall BPF program run with BPF_PROG_RUN) or through process_vm_readv(2).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <sys/types.h>

namespace cfur {

// The result of one read: 0 or a negative errno, and a message for people.
struct ReadStatus {
	int error = 0;
	std::string message;
	explicit operator bool() const { return error == 0; }
};

class HelperReader {
public:
	// Loads the BPF program; throws std::runtime_error with a clear message
	// if the kernel lacks the helper or BPF is not available.
	HelperReader();
	~HelperReader();
	HelperReader(const HelperReader &) = delete;
	HelperReader &operator=(const HelperReader &) = delete;

	ReadStatus read(pid_t pid, std::uint64_t addr, std::span<std::byte> out);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

ReadStatus read_with_process_vm_readv(pid_t pid, std::uint64_t addr, std::span<std::byte> out);

// Explains a helper error code for a person.
std::string explain(int error, pid_t pid, std::uint64_t addr, std::size_t size);

} // namespace cfur
