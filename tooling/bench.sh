#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: builds the patched kernel and cfur-bench, boots the kernel and
# runs the benchmark there; then draws the chart on the host. With --host,
# runs it on the running kernel instead (it says which paths it skips).
#
# With --profile, runs a short benchmark under ftrace's function_graph in
# the VM instead and prints where the time of a read goes (mean time of each
# child of the helper and of the upstream path's calls).
#
# With --perf, the VM boots the kernel without lock debugging
# (tooling/config.perf) instead of the selftests kernel, which has lockdep.
#
# Usage: tooling/bench.sh [--host|--profile] [--perf] [--out DIR] [-- CFUR_BENCH_ARG...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OUT_DIR="$REPO_ROOT/out/bench"
HOST=0
PROFILE=0
ARGS=()
KERNEL_ARGS=()
KERNEL_TREE="$BASE_REPO"

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--host) HOST=1; shift ;;
		--profile) PROFILE=1; shift ;;
		--perf) KERNEL_ARGS=(--perf) KERNEL_TREE="$PERF_TREE"; shift ;;
		--out) OUT_DIR="$2"; shift 2 ;;
		--) shift; ARGS=("$@"); break ;;
		*) die "usage: tooling/bench.sh [--host|--profile] [--perf] [--out DIR] [-- CFUR_BENCH_ARG...]" ;;
		esac
	done
}

# The benchmark for the running kernel: its own build, against that
# kernel's BTF, apart from the patched kernel's.
run_on_host() {
	local build="$WORK_DIR/bench-host" logf="$WORK_DIR/bench-host-build.log"
	[[ -r /sys/kernel/btf/vmlinux ]] || die "the running kernel has no BTF (/sys/kernel/btf/vmlinux)"
	[[ -d "$BASE_REPO/tools/lib/bpf" ]] || die "no kernel tree at $BASE_REPO: run make series first"
	log "building cfur-bench for the running kernel"
	make -s -C "$REPO_ROOT/bench" KERNEL="$BASE_REPO" OUT="$build" BPF_OUT="$WORK_DIR/bpf-host" \
		VMLINUX_BTF=/sys/kernel/btf/vmlinux >"$logf" 2>&1 ||
		{ tail -n 20 "$logf" >&2; die "building cfur-bench failed; log: $logf"; }
	log "running cfur-bench on the running kernel, $(uname -r)"
	"$build/cfur-bench" --out "$OUT_DIR" "${ARGS[@]}"
}

# --profile: where the time of a read goes, from a function_graph trace.
profile_in_vm() {
	local bench="$1" console="$WORK_DIR/profile-console.log"
	"$REPO_ROOT/vm/run.sh" --kernel "$KERNEL_TREE/arch/x86/boot/bzImage" --timeout 1800 \
		--share "$OUT_DIR" -- "$REPO_ROOT/bench/guest-profile.sh" "$bench" "$OUT_DIR" >"$console"
	[[ -s "$OUT_DIR/trace.txt" ]] || die "the profile wrote no trace (console: $console)"
	printf '%-70s %8s %10s\n' "function > child" calls "mean us"
	awk -f "$REPO_ROOT/bench/profile-summary.awk" "$OUT_DIR/trace.txt" | sort
}

draw_chart() {
	need_cmd gnuplot gnuplot-nox
	gnuplot -e "dir='$OUT_DIR'" "$REPO_ROOT/bench/plot.gp" ||
		die "gnuplot could not draw $OUT_DIR/chart.png"
	log "results: $OUT_DIR/{table.txt,summary.csv,samples.csv,chart.png}"
}

main() {
	local kmod
	parse_args "$@"
	mkdir -p "$OUT_DIR"
	OUT_DIR="$(cd "$OUT_DIR" && pwd -P)"
	rm -f "$OUT_DIR"/{table.txt,summary.csv,samples.csv,matrix.csv,chart.png}
	if [[ $HOST -eq 1 ]]; then
		run_on_host
	else
		"$REPO_ROOT/tooling/build-kernel.sh" "${KERNEL_ARGS[@]}"
		log "building cfur-bench"
		build_tools "$WORK_DIR/bench-build.log" bench || exit 1
		if [[ $PROFILE -eq 1 ]]; then
			profile_in_vm "$(tool_out bench)/cfur-bench"
			return 0
		fi
		log "building the kfunc's module for that kernel (cfur-bench's kfunc path)"
		kmod="$WORK_DIR/kmod-$(basename "$KERNEL_TREE")"
		"$REPO_ROOT/tooling/kmod-build.sh" --tree "$KERNEL_TREE" "$kmod" || exit 1
		log "booting the patched kernel for the benchmark ($(kernel_kind "$KERNEL_TREE"); a few minutes under TCG)"
		"$REPO_ROOT/vm/run.sh" --kernel "$KERNEL_TREE/arch/x86/boot/bzImage" --timeout 3600 \
			--share "$OUT_DIR" -- \
			"$REPO_ROOT/vm/guest-bench.sh" --module "$kmod/mod/copy_from_user_pid.ko" \
			"$(tool_out bench)/cfur-bench" "$OUT_DIR" "${ARGS[@]}"
	fi
	[[ -s "$OUT_DIR/matrix.csv" ]] || die "the benchmark wrote no results to $OUT_DIR"
	draw_chart
}

main "$@"
