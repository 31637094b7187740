// SPDX-License-Identifier: GPL-2.0
// cfur-secret: a process holding a secret in its memory. Prints
// "pid=<pid> addr=0x<address> size=<bytes> secret=<text>" and waits until
// its standard input closes or it is killed.
#include <array>
#include <cstdio>
#include <random>
#include <unistd.h>

#include "command_line.hpp"

namespace {
std::array<char, 64> secret{};
}

int main(int argc, char **argv)
{
	CLI::App app{"Holds a random secret in its memory, prints \"pid=<pid> addr=0x<address> "
		     "size=<bytes> secret=<text>\" and waits until its standard input closes or it "
		     "is killed: a target for cfur-peek.",
		     "cfur-secret"};
	cfur::cli::parse_or_exit(app, argc, argv);
	std::random_device rd;
	std::snprintf(secret.data(), secret.size(), "the secret of pid %d is %08x%08x", getpid(),
		      rd(), rd());
	std::printf("pid=%d addr=%p size=%zu secret=%s\n", getpid(),
		    static_cast<void *>(secret.data()), secret.size(), secret.data());
	std::fflush(stdout);
	char c;
	while (read(STDIN_FILENO, &c, 1) > 0) {
	}
	return 0;
}
