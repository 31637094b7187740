// SPDX-License-Identifier: GPL-2.0
// The tools' command lines (CLI11, read with common/command_line.hpp): --via
// and --flags, which all three take.
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

} // namespace cfur::rel
