#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in a VM with copy_from_user_pid.ko loaded, as root: the kfunc used
# by the project's tools, each between CFUR markers, for the checks of
# tests/vm-checks.sh (the same blocks as the helper's, read the same way):
#
#   cfur-kmod-runner  the kfunc's cases under the thin runner
#   kfunc-leak, kfunc-fuzz, kfunc-stress
#                     the reliability tools with --via kfunc
# and with ALL (the stock kernel; the patched one runs these with the helper):
#   demo              the secret, read through the kfunc where the kernel
#                     has no helper (cfur-peek --via auto)
#   bench-smoke       cfur-bench at a tiny scale: the kfunc path beside the
#                     paths this kernel has
#   pystack           guest-pystack.sh with the kfunc walker
#
# Usage: guest-kmod-use.sh TOOLS_DIR KMOD_RUNNER COLD_FILE FUZZ_CALLS STRESS_SECONDS [all]
#   TOOLS_DIR/<tool>: the tools built for this kernel
set -uo pipefail
here="$(dirname "$0")"
# shellcheck source=vm/guest-lib.sh
source "$here/guest-lib.sh"

readonly TOOLS="$1" RUNNER="$2" COLD_FILE="$3" CALLS="$4" SECONDS_STRESS="$5" ALL="${6:-}"
rc=0

main() {
	KFUNC_COLD_FILE="$COLD_FILE" run_block cfur-kmod-runner "$RUNNER" -t copy_from_user_pid -w 300 \
		-J "$(result_file cfur-kmod-runner.json)"
	run_block kfunc-leak "$TOOLS/reliability/cfur-leak" --via kfunc
	run_block kfunc-fuzz timed "$TOOLS/reliability/cfur-fuzz" --via kfunc --calls "$CALLS"
	run_block kfunc-stress "$TOOLS/reliability/cfur-stress" --via kfunc --seconds "$SECONDS_STRESS" --pid-max 1024
	[[ "$ALL" == all ]] || return "$rc"
	"$here/guest-demo.sh" "$TOOLS/demo" || rc=1
	run_block bench-smoke "$TOOLS/bench/cfur-bench" --scale 0.002 --reps 1 --out "$(result_dir bench-smoke)"
	PYSTACK_WALKER=kfunc PYSTACK_WALKERS=kfunc,austin,pvm \
		"$here/guest-pystack.sh" "$TOOLS/pystack/pystack" "$(cd "$here/.." && pwd)/pystack/target" \
		"$(result_dir pystack)" 200 || rc=1
	return "$rc"
}

main
