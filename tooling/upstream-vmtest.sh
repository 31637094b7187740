#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs upstream's tools/testing/selftests/bpf/vmtest.sh, unchanged, on a
# full tree of the series of its own ($UPSTREAM_TREE) with a rootfs built
# here (-l), since it cannot download one. vm/qemu-tcg goes first on PATH to
# swap its KVM flags for TCG. vmtest.sh writes the whole BPF selftests
# config and builds all of test_progs: the project's own build tree has
# neither (tooling/config.lean, and a test_progs of the helper's tests), so
# that tree is not used here.
#
# Usage: tooling/upstream-vmtest.sh [-- COMMAND]   (default: the helper's tests)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly ROOTFS="$WORK_DIR/rootfs.tar.zst"
readonly OUT_DIR="$WORK_DIR/vmtest-upstream"
readonly UPSTREAM_TREE="$WORK_DIR/linux-upstream"

# The tree at the series tip, every file checked out (test_progs needs the
# prog_tests the build tree leaves out).
sync_upstream_tree() {
	sync_full_tree "$UPSTREAM_TREE"
	# 6.12.117 ships prog_tests/bpf_attr_size.c without its BPF program, so
	# test_progs does not build as shipped.
	rm -f "$UPSTREAM_TREE/tools/testing/selftests/bpf/prog_tests/bpf_attr_size.c"
}

main() {
	[[ "${1:-}" != -- ]] || shift
	local cmd=("$@")
	[[ ${#cmd[@]} -gt 0 ]] || cmd=(./test_progs -t "$SELFTESTS_PATTERN")
	need_cmd sudo sudo
	lock_builds
	sync_upstream_tree
	[[ -f "$ROOTFS" ]] || "$REPO_ROOT/tooling/mkrootfs.sh" "$ROOTFS"
	log "vmtest.sh -l $ROOTFS -d $OUT_DIR -- ${cmd[*]} (it rebuilds the kernel and runs a full selftests make: long when cold)"
	PATH="$REPO_ROOT/vm/qemu-tcg:/usr/lib/llvm-19/bin:$PATH" \
		"$UPSTREAM_TREE/tools/testing/selftests/bpf/vmtest.sh" -l "$ROOTFS" -d "$OUT_DIR" -- "${cmd[@]}"
}

main "$@"
