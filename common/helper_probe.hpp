// SPDX-License-Identifier: GPL-2.0
// Does the running kernel know bpf_copy_from_user_remote, or has it the
// module with its kfunc, bpf_copy_from_user_pid, or another kfunc?
#pragma once

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <memory>
#include <optional>

namespace cfur {

// The helper's id in the patched uapi; older headers do not name it.
inline constexpr int kRemoteHelperId = 212;

inline bool kernel_has_remote_helper()
{
	// libbpf reports 0 when the verifier does not know the helper at all.
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
				       static_cast<bpf_func_id>(kRemoteHelperId), nullptr) == 1;
}

// The module's BTF, where libbpf finds the kfunc: present while
// kmod/copy_from_user_pid.ko is loaded.
inline constexpr const char *kKfuncModuleBtf = "/sys/kernel/btf/copy_from_user_pid";

inline bool kernel_has_kfunc_module()
{
	return access(kKfuncModuleBtf, F_OK) == 0;
}

// Does vmlinux's BTF name the function (a kfunc is one)? Nothing if the
// BTF cannot be read: the caller says what that means for it.
inline std::optional<bool> kernel_has_func(const char *name)
{
	struct BtfFree {
		void operator()(btf *b) const { btf__free(b); }
	};
	std::unique_ptr<btf, BtfFree> vmlinux(btf__load_vmlinux_btf());
	if (!vmlinux)
		return std::nullopt;
	return btf__find_by_name_kind(vmlinux.get(), name, BTF_KIND_FUNC) > 0;
}

} // namespace cfur
