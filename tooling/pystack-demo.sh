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
	build_pystack_kernel "${KERNEL_ARGS[@]}"
	rm -rf "$OUT_DIR" && mkdir -p "$OUT_DIR"
	log "booting the patched kernel ($(kernel_kind "$KERNEL_TREE")); $SAMPLES samples per walker and run (TCG: several minutes)"
	pystack_vm "$KERNEL_TREE" "$OUT_DIR" 1800 guest-pystack.sh "$SAMPLES" figures
	show_profiles
	figures_table
	versions_table
}

# The 50-frame target on each CPython: per walker, CPU and reads per
# sample, and the CPU ratio to the py-spy-like pvm walker.
versions_table() {
	local v csv
	log "the 50-frame target on each CPython, 1 kHz requested ($(kernel_kind "$KERNEL_TREE"); TCG: compare within the table only)"
	printf '| CPython | walker | CPU/sample | reads/sample | syscalls/sample | pvm CPU / this |\n'
	printf '| --- | --- | --- | --- | --- | --- |\n'
	for v in 3.11 3.12.1 3.13.0 all; do
		csv="$OUT_DIR/versions-$v/summary.csv"
		[[ -f "$csv" ]] || continue
		csv_cols "$csv" walker cpu_us reads syscalls | awk -F, -v v="$v" '
			{ w[NR] = $1; cpu[NR] = $2; reads[NR] = $3; sys[NR] = $4; if (w[NR] == "pvm") pvm = cpu[NR] }
			END { for (i = 1; i <= NR; i++)
				printf "| %s | %s | %.1f us | %.1f | %.1f | %s |\n", v == "all" ? "3.11+3.12+3.13" : v,
					w[i], cpu[i], reads[i], sys[i], pvm ? sprintf("%.1fx", pvm / cpu[i]) : "-" }'
	done
}

# The figures of the run as one table: per target and requested rate, each
# walker's achieved rate, CPU per sample (the walk, and all of pystack's
# work for it), reads and system calls per sample, torn thread samples;
# then the moving target's impossible stacks.
figures_table() {
	local run csv
	log "figures ($(kernel_kind "$KERNEL_TREE"); walkers in turn, 300 ms slices; TCG: compare within the table only)"
	printf '| target | requested | walker | achieved | CPU/sample | all CPU/sample | reads | syscalls | torn | busy kept | start-up |\n'
	printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
	for run in figures-50-1000 figures-two-1000 figures-50-10000 figures-two-10000 figures-busy-1000; do
		csv="$OUT_DIR/$run/summary.csv"
		[[ -f "$csv" ]] || continue
		csv_cols "$csv" requested_hz walker rate_hz cpu_us all_cpu_us reads syscalls unchecked_pct \
			torn_pct busy_kept_pct startup_ms | awk -F, -v run="$run" '{
			split(run, r, "-")
			target = r[2] == "50" ? "50 frames" : r[2] == "two" ? "two threads" : "busy recursion"
			printf "| %s | %d Hz | %s | %.0f Hz (%.0f%%) | %.1f us | %.1f us | %.1f | %.1f | %s | %s | %.0f ms |\n",
				target, $1, $2, $3, 100 * $3 / $1, $4, $5, $6, $7,
				$8 == 100 ? "-" : sprintf("%.1f%%", $9), $8 == 100 ? "-" : sprintf("%.1f%%", $10), $11
		}'
	done
	[[ -f "$OUT_DIR/figures-busy-1000/check.txt" ]] &&
		sed -nE 's|^moving-check .*/([a-z]+)\.collapsed: (.*)|busy recursion, \1: \2|p' "$OUT_DIR/figures-busy-1000/check.txt"
	[[ -f "$OUT_DIR/moving/check.txt" ]] &&
		sed -nE 's|^moving-check .*/([a-z]+)\.collapsed: (.*)|moving target, \1: \2|p' "$OUT_DIR/moving/check.txt"
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
	log "every run's files: $OUT_DIR/{two,idle,cpu,moving,family,alone,figures-*,versions-*}/"
}

main "$@"
