#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds test_progs (and bpf_testmod.ko) from the build tree's
# tools/testing/selftests/bpf with clang-19, in-tree as vmtest.sh does.
# Needs the kernel built first (tooling/build-kernel.sh): test_progs takes
# vmlinux's BTF and bpf_testmod links against Module.symvers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly LLVM_BIN="/usr/lib/llvm-19/bin"
readonly SELFTESTS="$BASE_REPO/tools/testing/selftests/bpf"

main() {
	lock_builds
	[[ -x "$LLVM_BIN/clang" ]] || die "clang-19 not found in $LLVM_BIN; install it with: apt-get install clang-19 llvm-19 lld-19"
	[[ -f "$BASE_REPO/vmlinux" && -f "$BASE_REPO/Module.symvers" ]] ||
		die "no built kernel in $BASE_REPO (run: make kernel)"
	[[ ! -e "$SELFTESTS/prog_tests/bpf_attr_size.c" ]] ||
		die "the build tree still has prog_tests/bpf_attr_size.c (run tooling/build-kernel.sh, which leaves it out)"
	# Files from an interrupted build can break the next one (e.g. "No rule
	# to make target 'atomics.lskel.h'"): drop partial dependency files.
	find "$SELFTESTS" -maxdepth 1 -name '*.test.d' -size 0 -delete
	log "building test_progs with clang-19 (a few minutes cold on 2 cores)"
	local start rc=0
	start=$(date +%s)
	PATH="$LLVM_BIN:/usr/lib/ccache:$PATH" make -C "$SELFTESTS" OUTPUT="$SELFTESTS" -j"$(nproc_jobs)" test_progs \
		>"$WORK_DIR/selftests-build.log" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		grep -E 'error|Error' "$WORK_DIR/selftests-build.log" | head -n 20 >&2
		die "building test_progs failed (exit $rc); full log: $WORK_DIR/selftests-build.log"
	fi
	[[ -x "$SELFTESTS/test_progs" ]] || die "the build left no $SELFTESTS/test_progs"
	log "test_progs built in $(($(date +%s) - start)) s: $SELFTESTS/test_progs"
}

main "$@"
