// SPDX-License-Identifier: GPL-2.0
#include "options.hpp"

#include "command_line.hpp"

namespace cfur {

RunOptions parse_run_options(const std::vector<std::string> &args)
{
	RunOptions o;
	CLI::App app{"Runs the prog_tests linked into it with the subtests, assertions and summary "
		     "of test_progs, each test in a child process so that a crash or a hang fails "
		     "that test only.",
		     "cfur-runner"};
	app.add_option("-t", o.patterns,
		       "run the tests whose name contains PATTERN (test/subtest narrows; repeatable)")
		->type_name("PATTERN")
		->allow_extra_args(false); // one pattern per -t, as test_progs
	app.add_flag("-l", o.list, "list the selected tests");
	unsigned seconds = static_cast<unsigned>(o.timeout.count());
	app.add_option("-w", seconds,
		       "fail a test that makes no progress for SECONDS (0..86400; default 120, 0: never)")
		->type_name("SECONDS")
		->check(CLI::Range(0, 86400));
	app.add_option("-J,--json-summary", o.json_summary,
		       "write test_progs' JSON summary of the run to FILE")
		->type_name("FILE");
	cli::parse(app, args);
	o.timeout = std::chrono::seconds(seconds);
	return o;
}

} // namespace cfur
