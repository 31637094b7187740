// SPDX-License-Identifier: GPL-2.0
// cfur-peek: reads SIZE bytes at ADDR in process PID through the
// bpf_copy_from_user_remote helper, prints them as hex, and compares them
// with what process_vm_readv(2) reads.
//
// Usage: cfur-peek PID ADDR [SIZE]     (ADDR in hex with 0x, or decimal)
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string_view>
#include <vector>

#include "hexdump.hpp"
#include "reader.hpp"

namespace {

constexpr std::size_t kMaxSize = 64 * 1024 * 1024;

template <typename T>
std::optional<T> parse_number(std::string_view s)
{
	int base = 10;
	if (s.starts_with("0x") || s.starts_with("0X")) {
		s.remove_prefix(2);
		base = 16;
	}
	T value{};
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
	if (s.empty() || ec != std::errc() || end != s.data() + s.size())
		return std::nullopt;
	return value;
}

int fail(const char *what)
{
	std::fprintf(stderr, "cfur-peek: %s\n", what);
	return 1;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4)
		return fail("usage: cfur-peek PID ADDR [SIZE]");
	auto pid = parse_number<int>(argv[1]);
	if (!pid || *pid <= 0)
		return fail("PID must be a positive number");
	auto addr = parse_number<std::uint64_t>(argv[2]);
	if (!addr)
		return fail("ADDR must be a number (0x... for hex)");
	auto size = argc == 4 ? parse_number<std::size_t>(argv[3]) : std::optional<std::size_t>(64);
	if (!size || *size == 0 || *size > kMaxSize)
		return fail("SIZE must be a number from 1 to 67108864");

	std::vector<std::byte> via_helper(*size), via_pvr(*size);
	try {
		cfur::HelperReader reader;
		auto st = reader.read(*pid, *addr, via_helper);
		if (!st)
			return fail(st.message.c_str());
	} catch (const std::exception &e) {
		return fail(e.what());
	}
	std::printf("bpf_copy_from_user_remote: %zu bytes of pid %d at %#llx\n", *size, *pid,
		    static_cast<unsigned long long>(*addr));
	std::fputs(cfur::hexdump(*addr, via_helper).c_str(), stdout);

	auto st = cfur::read_with_process_vm_readv(*pid, *addr, via_pvr);
	if (!st) {
		std::printf("process_vm_readv: %s\n", st.message.c_str());
		return 1;
	}
	if (std::memcmp(via_helper.data(), via_pvr.data(), *size) != 0) {
		std::printf("process_vm_readv read different bytes:\n%s",
			    cfur::hexdump(*addr, via_pvr).c_str());
		return 1;
	}
	std::printf("process_vm_readv: the same %zu bytes\n", *size);
	return 0;
}
