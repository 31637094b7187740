// SPDX-License-Identifier: GPL-2.0
#include "kernel_probe.hpp"

#include <memory>

#include <bpf/btf.h>

namespace cfur::bench {

namespace {

struct BtfFree {
	void operator()(btf *b) const { btf__free(b); }
};

} // namespace

bool vmlinux_has_func(const char *name)
{
	std::unique_ptr<btf, BtfFree> vmlinux(btf__load_vmlinux_btf());
	if (!vmlinux)
		return true;
	return btf__find_by_name_kind(vmlinux.get(), name, BTF_KIND_FUNC) >= 0;
}

} // namespace cfur::bench
