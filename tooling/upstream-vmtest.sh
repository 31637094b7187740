#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs upstream's tools/testing/selftests/bpf/vmtest.sh, unchanged, on the
# patched build tree with a rootfs built here (-l), since it cannot download
# one. vm/qemu-tcg goes first on PATH to swap its KVM flags for TCG.
#
# Usage: tooling/upstream-vmtest.sh [-- COMMAND]   (default: the helper's tests)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly ROOTFS="$WORK_DIR/rootfs.tar.zst"
readonly OUT_DIR="$WORK_DIR/vmtest-upstream"

main() {
	[[ "${1:-}" != -- ]] || shift
	local cmd=("$@")
	[[ ${#cmd[@]} -gt 0 ]] || cmd=(./test_progs -t copy_from_user_remote)
	need_cmd sudo sudo
	"$REPO_ROOT/tooling/build-kernel.sh"
	[[ -f "$ROOTFS" ]] || "$REPO_ROOT/tooling/mkrootfs.sh" "$ROOTFS"
	log "vmtest.sh -l $ROOTFS -d $OUT_DIR -- ${cmd[*]} (it rebuilds the kernel and runs a full selftests make: long when cold)"
	PATH="$REPO_ROOT/vm/qemu-tcg:/usr/lib/llvm-19/bin:$PATH" \
		"$BASE_REPO/tools/testing/selftests/bpf/vmtest.sh" -l "$ROOTFS" -d "$OUT_DIR" -- "${cmd[@]}"
}

main "$@"
