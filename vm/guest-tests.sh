#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM, in the selftests directory: the helper's tests under both
# runners, the demo, the fuzzer and a short stress, then a scan of what the
# kernel reported meanwhile. Each part's output goes to the console, for a
# person, between CFUR markers; what the host's checks read goes to the
# results directory (vm/guest-lib.sh): the runners' JSON summaries
# (test_progs.json, cfur-runner.json), each block's exit status
# (NAME.rc), pystack's summaries and tables, the guest's own checks.
#
# Usage: guest-tests.sh --pattern P --runner CFUR_RUNNER --reliability DIR
#                       --fuzz-calls N --stress-seconds S [--results DIR]
#                       [--demo DIR] [--bench CFUR_BENCH] [--pystack PYSTACK]
#                       [--kmod-ko KO --kmod-runner KMOD_RUNNER]
#   --pattern P     the tests both runners run (-t P; SELFTESTS_PATTERN in
#                   tooling/lib.sh, which the build tree's test_progs holds)
#   --results DIR   where the result files go (the VM's results share;
#                   default /tmp/cfur-results, for a run by hand)
#   --demo DIR      the demo's build, run (guest-demo.sh)
#   --bench B       cfur-bench, smoke-run (a tiny scale; nothing is timed)
#   --pystack P     pystack, sampling its test programs (guest-pystack*.sh)
#   --kmod-ko KO    the kfunc's module built for this kernel: loaded beside
#                   the helper, its cases run by --kmod-runner, the
#                   reliability tools run with --via kfunc
#                   (guest-kmod-use.sh), then unloaded (block kmod)
set -u
here="$(dirname "$0")"
# shellcheck source=vm/guest-lib.sh
source "$here/guest-lib.sh"
pattern=""
runner="" rel="" calls="" seconds="" demo="" bench="" pystack="" kmod_ko="" kmod_runner=""
results=/tmp/cfur-results
rc=0

usage() {
	echo "usage: guest-tests.sh --pattern P --runner CFUR_RUNNER --reliability DIR --fuzz-calls N --stress-seconds S [--results DIR] [--demo DIR] [--bench CFUR_BENCH] [--pystack PYSTACK] [--kmod-ko KO --kmod-runner KMOD_RUNNER]" >&2
	exit 2
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		[[ $# -ge 2 ]] || usage
		case "$1" in
		--pattern) pattern="$2" ;;
		--runner) runner="$2" ;;
		--reliability) rel="$2" ;;
		--fuzz-calls) calls="$2" ;;
		--stress-seconds) seconds="$2" ;;
		--results) results="$2" ;;
		--demo) demo="$2" ;;
		--bench) bench="$2" ;;
		--pystack) pystack="$2" ;;
		--kmod-ko) kmod_ko="$2" ;;
		--kmod-runner) kmod_runner="$2" ;;
		*) usage ;;
		esac
		shift 2
	done
	[[ -n "$pattern" && -n "$runner" && -n "$rel" && -n "$calls" && -n "$seconds" ]] || usage
	[[ -z "$kmod_ko" || -n "$kmod_runner" ]] || usage
}

# The module beside the helper: loaded, used, unloaded.
kmod_beside_helper() {
	local mod=copy_from_user_pid
	checks_begin kmod
	check "the cold file on ext4 over a loop device" make_cold_file
	check "insmod $mod.ko beside helper 212" insmod "$kmod_ko"
	checks_end
	"$here/guest-kmod-use.sh" "$(dirname "$rel")" "$kmod_runner" "$COLD_FILE" "$calls" "$seconds" || rc=1
	checks_begin kmod-unload
	check "rmmod $mod after use" rmmod_when_unused "$mod"
	check "the module's BTF and sysfs directory are gone" \
		test ! -e "/sys/kernel/btf/$mod" -a ! -e "/sys/module/$mod"
	checks_end
}

# pystack's runs (guest-pystack*.sh), their outputs in the results
# directory but for the work of the last three, which runs interpreters
# from it: they write their tables there.
pystack_runs() {
	local targets
	targets="$(cd "$here/.." && pwd)/pystack/target"
	"$here/guest-pystack.sh" "$pystack" "$targets" "$(result_dir pystack)" 200 || rc=1
	"$here/guest-pystack-versions.sh" "$pystack" "$targets" /tmp/pystack-versions bpf 50 || rc=1
	"$here/guest-pystack-start.sh" "$pystack" "$targets" /tmp/pystack-start bpf,austin || rc=1
	"$here/guest-pystack-ns.sh" "$pystack" "$targets" /tmp/pystack-ns bpf 50 || rc=1
}

main() {
	parse_args "$@"
	mkdir -p "$results"
	export CFUR_RESULTS_DIR="$results"
	"$here/guest-scan.sh" mark
	if [[ -x ./test_progs ]]; then
		run_block test_progs ./test_progs -t "$pattern" -J "$(result_file test_progs.json)"
	fi
	run_block cfur-runner "$runner" -t "$pattern" -J "$(result_file cfur-runner.json)"
	[[ -z "$demo" ]] || "$here/guest-demo.sh" "$demo" || rc=1
	if [[ -n "$bench" ]]; then
		run_block bench-smoke "$bench" --scale 0.002 --reps 1 --out "$(result_dir bench-smoke)"
	fi
	[[ -z "$pystack" ]] || pystack_runs
	"$here/guest-reliability.sh" "$rel" "$calls" "$seconds" || rc=1
	[[ -z "$kmod_ko" ]] || kmod_beside_helper
	"$here/guest-scan.sh" report
	return "$rc"
}

main "$@"
