// SPDX-License-Identifier: GPL-2.0
// Reading another process's memory: from BPF, through the patched kernel's
// bpf_copy_from_user_remote helper or the copy_from_user_pid module's
// bpf_copy_from_user_pid kfunc (a syscall program run with BPF_PROG_RUN),
// or through process_vm_readv(2).
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

// One way to read another process from BPF.
class Reader {
public:
	virtual ~Reader() = default;

	// "helper" or "kfunc"
	virtual const char *kind() const = 0;
	// The function that reads, e.g. "bpf_copy_from_user_remote".
	virtual const char *function() const = 0;
	// Where that function comes from, for people.
	virtual const char *origin() const = 0;

	virtual ReadStatus read(pid_t pid, std::uint64_t addr, std::span<std::byte> out) = 0;
};

// Each loads its BPF program, or throws std::runtime_error saying what is
// missing and how to get it.
std::unique_ptr<Reader> make_helper_reader();
std::unique_ptr<Reader> make_kfunc_reader();

ReadStatus read_with_process_vm_readv(pid_t pid, std::uint64_t addr, std::span<std::byte> out);

// Explains an error of the helper or the kfunc (named by function) for a
// person.
std::string explain(int error, pid_t pid, std::uint64_t addr, std::size_t size, const char *function);

} // namespace cfur
