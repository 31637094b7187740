#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The tooling's bad-input paths: each says what went wrong and what to do,
# before doing any work.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SCRATCH="$(mktemp -d)"
readonly SCRATCH
trap 'rm -rf "$SCRATCH"' EXIT

# An apt configuration with no sources at all.
no_apt_sources() {
	mkdir -p "$SCRATCH/apt/sources.list.d"
	: >"$SCRATCH/apt/sources.list"
	printf 'Dir::Etc::sourcelist "%s";\nDir::Etc::sourceparts "%s";\n' \
		"$SCRATCH/apt/sources.list" "$SCRATCH/apt/sources.list.d" >"$SCRATCH/apt.conf"
}

test_mkrootfs() {
	no_apt_sources
	expect_error "tooling: mkrootfs.sh without an apt source names where it looked" \
		"no apt source for Debian bookworm .*sources\.list" \
		env APT_CONFIG="$SCRATCH/apt.conf" CFUR_WORK="$SCRATCH/work" "$REPO_ROOT/tooling/mkrootfs.sh" "$SCRATCH/out.tar.zst"
	if [[ ! -e "$SCRATCH/out.tar.zst" && -z "$(find "$SCRATCH/work" -name 'rootfs.*' 2>/dev/null)" ]]; then
		pass "tooling: mkrootfs.sh stops before debootstrap"
	else
		fail "tooling: mkrootfs.sh stops before debootstrap" "it left files in $SCRATCH"
	fi
}

test_vm_run() {
	expect_error "tooling: vm/run.sh without a kernel image says to build one" \
		"no kernel image at .*run: make kernel" \
		"$REPO_ROOT/vm/run.sh" --kernel "$SCRATCH/none" -- true
	expect_error "tooling: vm/run.sh with a bad --accel" "--accel must be auto, kvm or tcg" \
		"$REPO_ROOT/vm/run.sh" --kernel "$REPO_ROOT/README.md" --accel xen -- true
}

test_bench_ab() {
	expect_error "tooling: bench-ab.sh without a kernel image says to build one" \
		"no kernel image at .*/none .*build one" \
		"$REPO_ROOT/tooling/bench-ab.sh" "$SCRATCH/none" "$REPO_ROOT/README.md"
	expect_error "tooling: bench-ab.sh with a bad --rounds" "--rounds takes a whole number" \
		"$REPO_ROOT/tooling/bench-ab.sh" --rounds 0 "$REPO_ROOT/README.md" "$REPO_ROOT/README.md"
}

test_pystack_profile() {
	expect_error "tooling: pystack-profile.sh with a bad --walker" "--walker takes bpf, task, austin or pvm" \
		"$REPO_ROOT/tooling/pystack-profile.sh" --walker perf
	expect_error "tooling: pystack-profile.sh with a bad --rate" "--rate takes a whole number of Hz" \
		"$REPO_ROOT/tooling/pystack-profile.sh" --rate 10k
	expect_error "tooling: pystack-profile.sh with an unknown option" "usage: tooling/pystack-profile.sh" \
		"$REPO_ROOT/tooling/pystack-profile.sh" --pid 1
}

test_mkrootfs
test_vm_run
test_bench_ab
test_pystack_profile
