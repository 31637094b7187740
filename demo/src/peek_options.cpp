// SPDX-License-Identifier: GPL-2.0
#include "peek_options.hpp"

#include <charconv>
#include <climits>
#include <optional>
#include <string_view>

#include "command_line.hpp"

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

// A CLI11 transform: a number in min..max, decimal or hex with 0x, handed
// on in decimal (CLI11's own reading would take a leading 0 for octal).
template <typename T>
CLI::Validator number_in(T min, T max, const std::string &what)
{
	return CLI::Validator(
		[=](std::string &text) -> std::string {
			auto v = parse_number<T>(text);
			if (!v || *v < min || *v > max)
				return "must be " + what + ", not '" + text + "'";
			text = std::to_string(*v);
			return {};
		},
		what);
}

} // namespace

PeekOptions parse_peek_options(const std::vector<std::string> &args)
{
	PeekOptions o;
	CLI::App app{kDescription, "cfur-peek"};
	app.add_option("--via", o.via, "helper, kfunc or auto (the default)")
		->transform(cli::one_of<Via>(
			{{"helper", Via::Helper}, {"kfunc", Via::Kfunc}, {"auto", Via::Auto}}));
	app.add_option("PID", o.pid, "the process to read")
		->required()
		->transform(number_in(1, INT_MAX, "a positive number"));
	app.add_option("ADDR", o.addr, "where, in hex with 0x or decimal")
		->required()
		->transform(number_in<std::uint64_t>(0, UINT64_MAX, "a number (0x... for hex)"));
	app.add_option("SIZE", o.size, "bytes to read (default 64)")
		->transform(number_in<std::size_t>(1, kMaxPeekSize, "a number from 1 to 67108864"));
	cli::parse(app, args);
	return o;
}

} // namespace cfur
