// SPDX-License-Identifier: GPL-2.0
// What the running kernel offers that a path needs, asked before loading
// its BPF object so that a missing piece is named as such.
#pragma once

namespace cfur::bench {

// True if vmlinux's BTF has the function (a kfunc is one), or if the BTF
// cannot be read (the load will tell then).
bool vmlinux_has_func(const char *name);

} // namespace cfur::bench
