// SPDX-License-Identifier: GPL-2.0
// The tools' command lines (CLI11): --via and --flags, which all three
// take, and a parse that answers --help and turns a bad command line into
// a message and exit status 2.
#pragma once

#include <vector>

#include "flags.hpp"
#include "reader.hpp"

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace cfur::rel {

class CallOptions {
public:
	// Adds --via helper|kfunc and --flags MODE (one of modes) to app.
	// Without --flags the kfunc gets kfunc_default and the helper 0; the
	// helper takes no other.
	CallOptions(CLI::App &app, std::vector<FlagMode> modes, FlagMode kfunc_default);

	// After parsing:
	Via via() const { return via_; }
	FlagMode flags() const { return flags_; }

private:
	Via via_ = Via::Helper;
	FlagMode flags_ = FlagMode::Zero;
};

// Parses argv into app. Returns -1 to go on, or the exit status: 0 after
// --help (printed), 2 for a bad command line (what is wrong, as
// "NAME: ...", and where the options are, on stderr).
int parse_command_line(CLI::App &app, int argc, char **argv);

} // namespace cfur::rel
