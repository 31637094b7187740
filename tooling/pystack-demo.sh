#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make pystack-demo: boots the patched kernel and runs pystack's test
# programs under its four walkers (BPF through bpf_copy_from_user_remote,
# BPF through bpf_copy_from_user_task, and two process_vm_readv baselines:
# Austin-like and py-spy-like), printing what a sample costs each, how
# consistent the samples were, the figures at 1 kHz and 10 kHz, and where
# the profiles are (collapsed, speedscope, pprof). Files: out/pystack/.
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
	log "booting the patched kernel ($(kernel_kind "$KERNEL_TREE")); $SAMPLES samples per walker and run (TCG: several minutes)"
	"$REPO_ROOT/vm/run.sh" --kernel "$KERNEL_TREE/arch/x86/boot/bzImage" --timeout 1800 --share "$OUT_DIR" -- \
		"$REPO_ROOT/vm/guest-pystack.sh" "$(tool_out pystack)/pystack" \
		"$REPO_ROOT/pystack/target" "$OUT_DIR" "$SAMPLES" figures
	show_profiles
}

# Where the profiles are, and a few stacks with lines and thread names.
show_profiles() {
	local dir="$OUT_DIR/two"
	log "profiles of the two-thread target (bpf walker):"
	printf '  speedscope: %s\n  pprof:      %s\n  collapsed:  %s\n' \
		"$dir/bpf.speedscope.json" "$dir/bpf.pb.gz" "$dir/bpf.collapsed"
	log "some of its stacks (outermost first; count last):"
	sort -t' ' -k2 -n -r "$dir/bpf.collapsed" | head -n 2 |
		awk '{ n = split($0, f, ";"); printf "  %s;%s;...;%s;%s\n", f[1], f[2], f[n - 1], f[n] }'
	log "every run's files: $OUT_DIR/{two,idle,moving,family,stripped,alone,figures-*}/"
}

main "$@"
