// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>
#include <string>

namespace cfur::rel {

CallOptions::CallOptions(CLI::App &app, std::vector<FlagMode> modes, FlagMode kfunc_default)
{
	std::map<std::string, FlagMode> names;
	std::string list;
	for (FlagMode m : modes) {
		names.emplace(flag_mode_name(m), m);
		list += std::string(list.empty() ? "" : ", ") + flag_mode_name(m);
	}
	app.add_option("--via", via_,
		       "helper: bpf_copy_from_user_remote (the patched kernel; the default); "
		       "kfunc: bpf_copy_from_user_pid (copy_from_user_pid.ko loaded)")
		->transform(CLI::CheckedTransformer(
			std::map<std::string, Via>{{"helper", Via::Helper}, {"kfunc", Via::Kfunc}}));
	auto *flags = app.add_option("--flags", flags_,
				     std::string("the kfunc's flags: ") + list + " (default " +
					     flag_mode_name(kfunc_default) + "; the helper has none)")
			      ->transform(CLI::CheckedTransformer(names));
	app.callback([this, flags, kfunc_default] {
		if (flags->count() == 0)
			flags_ = via_ == Via::Kfunc ? kfunc_default : FlagMode::Zero;
		else if (via_ == Via::Helper && flags_ != FlagMode::Zero)
			throw CLI::ValidationError("--flags", std::string(flag_mode_name(flags_)) +
							      ": the helper takes no flags; add --via kfunc");
	});
}

int parse_command_line(CLI::App &app, int argc, char **argv)
{
	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &) {
		std::cout << app.help();
		return 0;
	} catch (const CLI::ParseError &e) {
		std::cerr << app.get_name() << ": " << e.what() << " (see " << app.get_name()
			  << " --help)\n";
		return 2;
	}
	return -1;
}

} // namespace cfur::rel
