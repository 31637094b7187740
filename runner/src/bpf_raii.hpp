// SPDX-License-Identifier: GPL-2.0
// Owning handles for libbpf objects.
#pragma once

#include <memory>

#include <bpf/libbpf.h>

namespace cfur {

struct BpfObjectCloser {
	void operator()(bpf_object *obj) const { bpf_object__close(obj); }
};
using BpfObject = std::unique_ptr<bpf_object, BpfObjectCloser>;

struct BpfLinkDestroyer {
	void operator()(bpf_link *link) const { bpf_link__destroy(link); }
};
using BpfLink = std::unique_ptr<bpf_link, BpfLinkDestroyer>;

} // namespace cfur
