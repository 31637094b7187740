// SPDX-License-Identifier: GPL-2.0
// What pystack's tests share: the message of what a call throws, and a
// python3.11 child process that waits to be looked at.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "layout_tables.hpp"

namespace pystack::test {

// The CPython 3.11 layout table built into pystack.
inline PyOffsets table311()
{
	return layout_table(11)->offsets;
}

template <typename F>
std::string error_of(const F &fn)
{
	try {
		fn();
	} catch (const std::exception &e) {
		return e.what();
	}
	return "(no error)";
}

// Runs `program` with `args`; the child writes a line to stdout once it is
// ready. Killed when it goes.
class Child {
public:
	Child(const std::string &program, const std::vector<std::string> &args)
	{
		int fds[2];
		if (pipe(fds) != 0)
			return;
		pid_ = fork();
		if (pid_ == 0) {
			dup2(fds[1], 1);
			std::vector<char *> argv{const_cast<char *>(program.c_str())};
			for (const std::string &a : args)
				argv.push_back(const_cast<char *>(a.c_str()));
			argv.push_back(nullptr);
			execv(program.c_str(), argv.data());
			_exit(127);
		}
		close(fds[1]);
		char buf[64] = {};
		ready_ = read(fds[0], buf, sizeof(buf) - 1) > 0;
		close(fds[0]);
	}
	~Child()
	{
		if (pid_ > 0) {
			kill(pid_, SIGKILL);
			waitpid(pid_, nullptr, 0);
		}
	}
	Child(const Child &) = delete;
	Child &operator=(const Child &) = delete;

	pid_t pid() const { return pid_; }
	bool ready() const { return ready_; }

private:
	pid_t pid_ = -1;
	bool ready_ = false;
};

// A python3.11 running `code`, which prints a line once it is ready.
inline std::vector<std::string> python_args(const std::string &code)
{
	return {"-c", code};
}

} // namespace pystack::test
