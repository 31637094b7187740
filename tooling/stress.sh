#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the churn stress alone, for DURATION seconds, in the patched
# kernel (or the debug kernel with --debug), then the dmesg (and kmemleak)
# scan. Exits non-zero on any wrong value or kernel report.
#
# Usage: tooling/stress.sh [--debug] DURATION_SECONDS
set -euo pipefail
source "$(dirname "$0")/lib.sh"

main() {
	local kernel_args=() tree="$BASE_REPO" seconds rel console
	if [[ "${1:-}" == --debug ]]; then
		kernel_args=(--debug)
		tree="$DEBUG_TREE"
		shift
	fi
	seconds="${1:-}"
	[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "usage: tooling/stress.sh [--debug] DURATION_SECONDS (a whole number of seconds, not '$seconds')"
	"$REPO_ROOT/tooling/build-kernel.sh" "${kernel_args[@]}"
	[[ ${#kernel_args[@]} -eq 0 ]] || "$REPO_ROOT/tooling/build-kernel.sh"
	build_tools "$WORK_DIR/stress-build.log" reliability || exit 1
	rel="$(tool_out reliability)"
	console="$WORK_DIR/stress-console.log"
	log "stress for $seconds s in $tree"
	# shellcheck disable=SC2016 # the guest's shell expands them, from its arguments
	"$REPO_ROOT/vm/run.sh" --kernel "$tree/arch/x86/boot/bzImage" --timeout $((seconds * 3 + 600)) \
		--log "$console" -- bash -c '
			"$1/guest-scan.sh" mark
			echo "CFUR-BEGIN stress"
			"$2/cfur-stress" --seconds "$3" --pid-max 1024; rc=$?
			echo "CFUR-END stress rc=$rc"
			"$1/guest-scan.sh" report | tee /tmp/scan
			! grep -qE "hits=[1-9]|leaks=[1-9]" /tmp/scan || rc=1
			exit $rc' _ "$REPO_ROOT/vm" "$rel" "$seconds"
}

main "$@"
