#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An A/B run of two kernels: boots OLD, NEW, OLD, NEW... (ROUNDS each) and
# runs cfur-bench in each, then prints the helper's median per read in
# every boot and NEW over OLD per workload. Use it to tell whether a change
# to the helper costs anything: the boots alternate so that drift hits both.
# Under TCG, compare only within one run.
#
# Usage: tooling/bench-ab.sh [--rounds N] [--out DIR] OLD_BZIMAGE NEW_BZIMAGE [-- CFUR_BENCH_ARG...]
#   (default: 2 rounds, out/bench-ab, --reps 7 --workloads read-8B,read-64K,chase)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=2
OUT_DIR="$REPO_ROOT/out/bench-ab"
KERNELS=()
ARGS=(--reps 7 --workloads "read-8B,read-64K,chase")
readonly USAGE="usage: tooling/bench-ab.sh [--rounds N] [--out DIR] OLD_BZIMAGE NEW_BZIMAGE [-- CFUR_BENCH_ARG...]"

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--rounds) ROUNDS="${2:-}"; shift 2 || die "$USAGE" ;;
		--out) OUT_DIR="${2:-}"; shift 2 || die "$USAGE" ;;
		--) shift; [[ $# -eq 0 ]] || ARGS=("$@"); break ;;
		-*) die "$USAGE" ;;
		*) KERNELS+=("$1"); shift ;;
		esac
	done
	[[ ${#KERNELS[@]} -eq 2 ]] || die "$USAGE"
	[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a whole number above 0, not '$ROUNDS'"
	local k
	for k in "${KERNELS[@]}"; do
		[[ -f "$k" ]] || die "no kernel image at $k (build one: make kernel, or tooling/build-kernel.sh --perf)"
	done
}

# boot NAME IMAGE: cfur-bench in IMAGE, its table in OUT_DIR/NAME.
boot() {
	local dir="$OUT_DIR/$1"
	rm -rf "$dir" && mkdir -p "$dir"
	"$REPO_ROOT/vm/run.sh" --kernel "$2" --timeout 1800 --share "$dir" -- \
		"$REPO_ROOT/vm/guest-bench.sh" "$(tool_out bench)/cfur-bench" "$dir" "${ARGS[@]}" >/dev/null ||
		die "the benchmark failed in $2 (console: $WORK_DIR/vm-console.log)"
}

# The helper's median per read, per workload and boot, and NEW / OLD.
summary() {
	local f
	for f in "$OUT_DIR"/{old,new}*/table.txt; do
		awk -v boot="$(basename "$(dirname "$f")")" '$2 == "helper" { print boot, $1, $3, $4 }' "$f"
	done | awk '
		function us(v, u) { return u == "ms" ? v * 1000 : u == "ns" ? v / 1000 : v }
		{ kind = substr($1, 1, 3); t = us($3, $4); sum[kind, $2] += t; n[kind, $2]++
		  all[$2] = all[$2] sprintf(" %s %.3g", $1, t); w[$2] = 1 }
		END {
			printf "%-10s %-60s %8s\n", "workload", "helper, us per read, each boot", "new/old"
			for (x in w)
				printf "%-10s %-60s %8.3f\n", x, all[x], (sum["new", x] / n["new", x]) / (sum["old", x] / n["old", x])
		}' | tee "$OUT_DIR/summary.txt"
}

main() {
	parse_args "$@"
	mkdir -p "$OUT_DIR"
	OUT_DIR="$(cd "$OUT_DIR" && pwd -P)"
	build_tools "$WORK_DIR/bench-build.log" bench || exit 1
	local round
	for ((round = 1; round <= ROUNDS; round++)); do
		log "round $round of $ROUNDS: old ($(basename "${KERNELS[0]}")), then new ($(basename "${KERNELS[1]}"))"
		boot "old$round" "${KERNELS[0]}"
		boot "new$round" "${KERNELS[1]}"
	done
	summary
	log "tables: $OUT_DIR/{old,new}N/table.txt; summary: $OUT_DIR/summary.txt"
}

main "$@"
