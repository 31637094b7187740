// SPDX-License-Identifier: GPL-2.0
// Kills a child and reaps it, waiting a bounded time. A process that does not
// exit after SIGKILL is stuck in the kernel; for the tools that read other
// processes' memory that is a finding (a leaked mmap_lock keeps exit_mmap()
// from ever taking it for writing), not a reason to hang.
#pragma once

#include <chrono>

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cfur {

// True if pid exited and was reaped within timeout.
inline bool kill_and_reap(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(10))
{
	int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
	kill(pid, SIGKILL);
	if (pidfd >= 0) {
		pollfd p{pidfd, POLLIN, 0};
		int r = poll(&p, 1, static_cast<int>(timeout.count()));
		close(pidfd);
		if (r != 1)
			return false;
	}
	return waitpid(pid, nullptr, 0) == pid;
}

} // namespace cfur
