// SPDX-License-Identifier: GPL-2.0
// cfur-peek: reads SIZE bytes at ADDR in process PID from a BPF program,
// through the bpf_copy_from_user_remote helper or the copy_from_user_pid
// module's bpf_copy_from_user_pid kfunc (--via), prints them as hex, and
// compares them with what process_vm_readv(2) reads.
//
// Usage: cfur-peek [--via helper|kfunc|auto] PID ADDR [SIZE]
//        (ADDR in hex with 0x, or decimal)
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "hexdump.hpp"
#include "peek_options.hpp"
#include "reader.hpp"
#include "via.hpp"

namespace {

int fail(const char *what)
{
	std::fprintf(stderr, "cfur-peek: %s\n", what);
	return 1;
}

} // namespace

int main(int argc, char **argv)
{
	cfur::PeekOptions o =
		cfur::cli::parse_or_exit("cfur-peek", argc, argv, cfur::parse_peek_options);

	std::vector<std::byte> via_bpf(o.size), via_pvr(o.size);
	const char *function = nullptr;
	try {
		auto reader = cfur::open_reader(o.via);
		function = reader->function();
		std::printf("via %s: %s, %s\n", reader->kind(), function, reader->origin());
		std::fflush(stdout);
		auto st = reader->read(o.pid, o.addr, via_bpf);
		if (!st)
			return fail(st.message.c_str());
	} catch (const std::exception &e) {
		return fail(e.what());
	}
	std::printf("%s: %zu bytes of pid %d at %#llx\n", function, o.size, o.pid,
		    static_cast<unsigned long long>(o.addr));
	std::fputs(cfur::hexdump(o.addr, via_bpf).c_str(), stdout);

	auto st = cfur::read_with_process_vm_readv(o.pid, o.addr, via_pvr);
	if (!st) {
		std::printf("process_vm_readv: %s\n", st.message.c_str());
		return 1;
	}
	if (std::memcmp(via_bpf.data(), via_pvr.data(), o.size) != 0) {
		std::printf("process_vm_readv read different bytes:\n%s",
			    cfur::hexdump(o.addr, via_pvr).c_str());
		return 1;
	}
	std::printf("process_vm_readv: the same %zu bytes\n", o.size);
	return 0;
}
