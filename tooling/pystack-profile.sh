#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make pystack-profile: where a pystack walker's time goes in the patched
# kernel, as perf(1) sees it, while it samples the two-thread test program.
# The answer to "why does this walker not keep up at this rate": pystack's
# summary (achieved rate, CPU per sample), then its time by symbol (the
# walk's BPF programs, the helper, the sleep until the next tick, user
# space). Files: out/pystack-profile/.
#
# Usage: tooling/pystack-profile.sh [--perf] [--walker W] [--rate HZ] [--seconds S]
#   (default: the selftests kernel, --walker bpf --rate 10000 --seconds 3;
#   --perf: the kernel without lock debugging, the one for cost figures)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly OUT_DIR="$REPO_ROOT/out/pystack-profile"
readonly USAGE="usage: tooling/pystack-profile.sh [--perf] [--walker bpf|task|austin|pvm] [--rate HZ] [--seconds S]"
KERNEL_ARGS=()
KERNEL_TREE="$BASE_REPO"
WALKER=bpf
RATE=10000
SECONDS_=3

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--perf) KERNEL_ARGS=(--perf) KERNEL_TREE="$PERF_TREE"; shift ;;
		--walker) WALKER="${2:-}"; shift 2 || die "$USAGE" ;;
		--rate) RATE="${2:-}"; shift 2 || die "$USAGE" ;;
		--seconds) SECONDS_="${2:-}"; shift 2 || die "$USAGE" ;;
		*) die "$USAGE" ;;
		esac
	done
	[[ "$WALKER" =~ ^(bpf|task|austin|pvm)$ ]] || die "--walker takes bpf, task, austin or pvm, not '$WALKER'"
	[[ "$RATE" =~ ^[1-9][0-9]*$ && "$RATE" -le 100000 ]] || die "--rate takes a whole number of Hz, 1..100000, not '$RATE'"
	[[ "$SECONDS_" =~ ^[1-9][0-9]?$ ]] || die "--seconds takes a whole number, 1..99, not '$SECONDS_'"
}

main() {
	parse_args "$@"
	need_cmd perf linux-perf
	build_pystack_kernel "${KERNEL_ARGS[@]}"
	rm -rf "$OUT_DIR" && mkdir -p "$OUT_DIR"
	log "booting the patched kernel ($(kernel_kind "$KERNEL_TREE")); perf records $WALKER at $RATE Hz for $SECONDS_ s (TCG: shares of time, not absolute costs)"
	pystack_vm "$KERNEL_TREE" "$OUT_DIR" 900 guest-pystack-profile.sh "$WALKER" "$RATE" "$SECONDS_"
	log "perf data: $OUT_DIR/perf.data (perf report -i ... in the VM's kernel symbols)"
}

main "$@"
