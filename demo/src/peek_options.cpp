// SPDX-License-Identifier: GPL-2.0
#include "peek_options.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace cfur {

namespace {

const char kDescription[] =
	"Reads SIZE bytes (default 64) at ADDR in process PID from a BPF program, prints them\n"
	"as hex, and compares them with what process_vm_readv(2) reads. The program reads\n"
	"through one of:\n"
	"  helper  bpf_copy_from_user_remote, helper 212 of the patched kernel\n"
	"  kfunc   bpf_copy_from_user_pid, the kfunc of kmod/copy_from_user_pid.ko\n"
	"  auto    the helper if this kernel has it, else the kfunc if the module is loaded";

// Decimal, or hex with 0x; all of the text.
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

} // namespace

Via parse_via(const std::string &text)
{
	if (text == "auto")
		return Via::Auto;
	if (text == "helper")
		return Via::Helper;
	if (text == "kfunc")
		return Via::Kfunc;
	throw std::invalid_argument("--via takes helper, kfunc or auto, not '" + text + "'");
}

const char *const kPeekUsage = "usage: cfur-peek [--via helper|kfunc|auto] PID ADDR [SIZE]";

PeekOptions parse_peek_options(const std::vector<std::string> &args)
{
	CLI::App app{kDescription, "cfur-peek"};
	std::string pid, addr, size, via = "auto";
	app.add_option("--via", via, "helper, kfunc or auto (the default)")
		->check(CLI::IsMember({"helper", "kfunc", "auto"}));
	app.add_option("PID", pid, "the process to read")->required();
	app.add_option("ADDR", addr, "where, in hex with 0x or decimal")->required();
	app.add_option("SIZE", size, "bytes to read, 1 to 67108864 (default 64)");
	std::vector<std::string> reversed(args.rbegin(), args.rend());
	try {
		app.parse(reversed);
	} catch (const CLI::CallForHelp &) {
		throw HelpRequested{app.help()};
	} catch (const CLI::ParseError &e) {
		throw std::invalid_argument(e.what());
	}
	PeekOptions o;
	o.via = parse_via(via);
	auto p = parse_number<int>(pid);
	if (!p || *p <= 0)
		throw std::invalid_argument("PID must be a positive number, not '" + pid + "'");
	o.pid = *p;
	auto a = parse_number<std::uint64_t>(addr);
	if (!a)
		throw std::invalid_argument("ADDR must be a number (0x... for hex), not '" + addr + "'");
	o.addr = *a;
	if (!size.empty()) {
		auto s = parse_number<std::size_t>(size);
		if (!s || *s == 0 || *s > kMaxPeekSize)
			throw std::invalid_argument("SIZE must be a number from 1 to 67108864, not '" +
						    size + "'");
		o.size = *s;
	}
	return o;
}

} // namespace cfur
