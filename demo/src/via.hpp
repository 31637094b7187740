// SPDX-License-Identifier: GPL-2.0
// Which BPF function cfur-peek reads through: the helper, the module's
// kfunc, or (auto) the helper where the kernel has it, else the kfunc
// where the module is loaded.
#pragma once

#include <memory>

#include "reader.hpp"

namespace cfur {

enum class Via { Auto, Helper, Kfunc };

// Loads the reader asked for; throws std::runtime_error saying what is
// missing and how to get it (for auto: both ways).
std::unique_ptr<Reader> open_reader(Via via);

} // namespace cfur
