// SPDX-License-Identifier: GPL-2.0
#include "reader.hpp"

#include <cerrno>
#include <cstring>
#include <sys/uio.h>

#include "strf.hpp"

namespace cfur {

ReadStatus read_with_process_vm_readv(pid_t pid, std::uint64_t addr, std::span<std::byte> out)
{
	iovec local{out.data(), out.size()};
	iovec remote{reinterpret_cast<void *>(addr), out.size()};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == static_cast<ssize_t>(out.size()))
		return {};
	int err = n < 0 ? errno : EFAULT;
	return {-err, strf("process_vm_readv: %s", n < 0 ? std::strerror(err) : "short read")};
}

std::string explain(int error, pid_t pid, std::uint64_t addr, std::size_t size, const char *function)
{
	switch (-error) {
	case ESRCH:
		return strf("no process with pid %d in this pid namespace, or it has no user "
			    "memory (a kernel thread or an exited process)",
			    pid);
	case EFAULT:
		return strf("pid %d cannot be read at %#llx (+%zu bytes): the range is not "
			    "mapped, or not readable",
			    pid, static_cast<unsigned long long>(addr), size);
	case EPERM:
		return strf("%s refuses: reading pid %d needs CAP_PERFMON (or CAP_SYS_ADMIN) and "
			    "the right to ptrace it; run cfur-peek as root",
			    function, pid);
	default:
		return strf("%s failed: %s", function, std::strerror(-error));
	}
}

} // namespace cfur
