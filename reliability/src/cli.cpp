// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include <string>
#include <utility>

#include "command_line.hpp"

namespace cfur::rel {

CallOptions::CallOptions(CLI::App &app, std::vector<FlagMode> modes, FlagMode kfunc_default)
{
	std::vector<std::pair<std::string, FlagMode>> names;
	for (FlagMode m : modes)
		names.emplace_back(flag_mode_name(m), m);
	app.add_option("--via", via_,
		       "helper: bpf_copy_from_user_remote (the patched kernel; the default); "
		       "kfunc: bpf_copy_from_user_pid (copy_from_user_pid.ko loaded)")
		->transform(cli::one_of<Via>({{"helper", Via::Helper}, {"kfunc", Via::Kfunc}}));
	auto *flags = app.add_option("--flags", flags_,
				     std::string("the kfunc's flags (default ") +
					     flag_mode_name(kfunc_default) + "; the helper has none)")
			      ->transform(cli::one_of(names));
	app.callback([this, flags, kfunc_default] {
		if (flags->count() == 0)
			flags_ = via_ == Via::Kfunc ? kfunc_default : FlagMode::Zero;
		else if (via_ == Via::Helper && flags_ != FlagMode::Zero)
			throw CLI::ValidationError("--flags",
						   std::string(flag_mode_name(flags_)) +
							   ": the helper takes no flags; add --via kfunc");
	});
}

} // namespace cfur::rel
