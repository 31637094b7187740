// SPDX-License-Identifier: GPL-2.0
#include "via.hpp"

#include <stdexcept>

#include "helper_probe.hpp"
#include "strf.hpp"

namespace cfur {

std::unique_ptr<Reader> open_reader(Via via)
{
	switch (via) {
	case Via::Helper:
		return make_helper_reader();
	case Via::Kfunc:
		return make_kfunc_reader();
	case Via::Auto:
		break;
	}
	if (kernel_has_remote_helper())
		return make_helper_reader();
	if (kernel_has_kfunc_module())
		return make_kfunc_reader();
	throw std::runtime_error(
		strf("this kernel has neither bpf_copy_from_user_remote (helper %d) nor the kfunc "
		     "bpf_copy_from_user_pid (%s is absent): run cfur-peek in the patched kernel (make "
		     "demo boots it), or insmod kmod/copy_from_user_pid.ko (make -C kmod builds it for "
		     "the running kernel)",
		     kRemoteHelperId, kKfuncModuleBtf));
}

} // namespace cfur
