#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make pystack-demo: boots the patched kernel, starts the test Python
# program and samples it with pystack's two walkers (BPF through
# bpf_copy_from_user_remote, bpf_copy_from_user_task, and process_vm_readv),
# printing the collapsed stacks and what a sample costs each. Files:
# out/pystack/.
#
# Usage: tooling/pystack-demo.sh [--perf] [SAMPLES]
#   --perf  in the kernel without lock debugging (tooling/config.perf), the
#           one for cost figures; the default is the selftests kernel, which
#           has lockdep
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly OUT_DIR="$REPO_ROOT/out/pystack"
KERNEL_ARGS=()
KERNEL_TREE="$BASE_REPO"
SAMPLES=500

parse_args() {
	if [[ "${1:-}" == --perf ]]; then
		KERNEL_ARGS=(--perf) KERNEL_TREE="$PERF_TREE"
		shift
	fi
	SAMPLES="${1:-500}"
	[[ "$SAMPLES" =~ ^[1-9][0-9]*$ && $# -le 1 ]] ||
		die "usage: tooling/pystack-demo.sh [--perf] [SAMPLES], SAMPLES a whole number, not '$*'"
}

main() {
	parse_args "$@"
	need_python_dbg
	"$REPO_ROOT/tooling/build-kernel.sh" "${KERNEL_ARGS[@]}"
	log "building pystack"
	build_tools "$WORK_DIR/pystack-build.log" pystack || exit 1
	rm -rf "$OUT_DIR" && mkdir -p "$OUT_DIR"
	log "booting the patched kernel ($(kernel_kind "$KERNEL_TREE")); $SAMPLES samples per walker and run (TCG: a few minutes)"
	"$REPO_ROOT/vm/run.sh" --kernel "$KERNEL_TREE/arch/x86/boot/bzImage" --timeout 1800 --share "$OUT_DIR" -- \
		"$REPO_ROOT/vm/guest-pystack.sh" "$(tool_out pystack)/pystack" \
		"$REPO_ROOT/pystack/target/target.py" "$OUT_DIR" "$SAMPLES"
	log "files: $OUT_DIR/{two,alone}/{bpf,pvm}.collapsed, summary.txt"
}

main "$@"
