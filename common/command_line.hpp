// SPDX-License-Identifier: GPL-2.0
// The tools' one way to read a command line: CLI11, with --help printed to
// stdout and exit status 0, and a bad command line (CLI11's message, which
// names the option and what it takes) on stderr with exit status 2.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace cfur::cli {

// A CLI11 transform of a name to its enum value (choices maps names to
// values), whose error lists the names: "takes a, b or c, not 'd'".
template <typename Enum>
CLI::Validator one_of(const std::vector<std::pair<std::string, Enum>> &choices)
{
	std::string list;
	for (std::size_t i = 0; i < choices.size(); i++)
		list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i].first;
	return CLI::Validator(
		[choices, list](std::string &text) -> std::string {
			for (const auto &[name, value] : choices)
				if (name == text) {
					text = std::to_string(
						static_cast<std::underlying_type_t<Enum>>(value));
					return {};
				}
			return "takes " + list + ", not '" + text + "'";
		},
		list);
}

// Thrown for --help, with the help text.
struct HelpRequested {
	std::string text;
};

// Parses args (argv without argv[0]) into app. Throws HelpRequested for
// --help and std::invalid_argument with CLI11's message for a bad command
// line, so that unit tests can see both.
inline void parse(CLI::App &app, const std::vector<std::string> &args)
{
	std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 pops from the back
	try {
		app.parse(reversed);
	} catch (const CLI::CallForHelp &) {
		throw HelpRequested{app.help()};
	} catch (const CLI::ParseError &e) {
		throw std::invalid_argument(e.what());
	}
}

// For tests: a function of args that returns what parse_args finds wrong
// in them, or "" if it takes them.
template <typename ParseArgs>
auto error_finder(ParseArgs parse_args)
{
	return [parse_args](const std::vector<std::string> &args) -> std::string {
		try {
			parse_args(args);
		} catch (const std::invalid_argument &e) {
			return e.what();
		}
		return "";
	};
}

// What parse_args({"--help"}) shows, or "" if it shows nothing: for tests.
template <typename ParseArgs>
std::string help_of(ParseArgs parse_args)
{
	try {
		parse_args({"--help"});
	} catch (const HelpRequested &h) {
		return h.text;
	}
	return "";
}

// For main(): returns parse_args(argv's arguments), a function that throws
// as parse() does. After --help it prints the help and exits 0; after a
// bad command line it says what is wrong, as "NAME: ...", and exits 2.
template <typename ParseArgs>
decltype(auto) parse_or_exit(const char *name, int argc, char **argv, ParseArgs parse_args)
{
	try {
		return parse_args(std::vector<std::string>(argv + 1, argv + argc));
	} catch (const HelpRequested &h) {
		std::fputs(h.text.c_str(), stdout);
		std::exit(0);
	} catch (const std::invalid_argument &e) {
		std::fprintf(stderr, "%s: %s (see %s --help)\n", name, e.what(), name);
		std::exit(2);
	}
}

// parse_or_exit for an app that holds its own variables.
inline void parse_or_exit(CLI::App &app, int argc, char **argv)
{
	parse_or_exit(app.get_name().c_str(), argc, argv,
		      [&app](const std::vector<std::string> &args) { parse(app, args); });
}

} // namespace cfur::cli
