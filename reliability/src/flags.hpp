// SPDX-License-Identifier: GPL-2.0
// The flags the tools pass the kfunc (--flags): none, BPF_F_COPY_NOWAIT,
// one or the other call by call, or (the fuzzer) also unknown bits. The
// helper takes none.
#pragma once

#include <cstdint>

namespace cfur::rel {

enum class FlagMode { Zero, Nowait, Mixed, Fuzz };

const char *flag_mode_name(FlagMode m); // "0", "nowait", "mixed", "fuzz"

// The flags of the n-th call: 0, BPF_F_COPY_NOWAIT, or for Mixed the one on
// even n and the other on odd n. Fuzz is the fuzzer's to pick; here it is
// Mixed.
std::uint64_t flags_for(FlagMode m, unsigned long n);

} // namespace cfur::rel
