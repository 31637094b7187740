// SPDX-License-Identifier: GPL-2.0
// Does the running kernel know bpf_copy_from_user_remote?
#pragma once

#include <bpf/libbpf.h>

namespace cfur {

// The helper's id in the patched uapi; older headers do not name it.
inline constexpr int kRemoteHelperId = 212;

inline bool kernel_has_remote_helper()
{
	// libbpf reports 0 when the verifier does not know the helper at all.
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
				       static_cast<bpf_func_id>(kRemoteHelperId), nullptr) == 1;
}

} // namespace cfur
