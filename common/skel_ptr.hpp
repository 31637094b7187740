// SPDX-License-Identifier: GPL-2.0
// An owning pointer to a libbpf skeleton (bpftool gen skeleton's C++ API).
#pragma once

#include <memory>

namespace cfur {

template <typename Skel>
struct SkelDestroyer {
	void operator()(Skel *skel) const { Skel::destroy(skel); }
};

template <typename Skel>
using SkelPtr = std::unique_ptr<Skel, SkelDestroyer<Skel>>;

} // namespace cfur
