#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job: boots the patched kernel and shows the helper reading another
# process's secret, next to what process_vm_readv reads.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly DEMO_OUT="$WORK_DIR/demo"

main() {
	"$REPO_ROOT/tooling/build-kernel.sh"
	log "building cfur-peek and cfur-secret"
	make -s -C "$REPO_ROOT/demo" KERNEL="$BASE_REPO" OUT="$DEMO_OUT" >"$WORK_DIR/demo-build.log" 2>&1 ||
		{ tail -n 20 "$WORK_DIR/demo-build.log" >&2; die "building the demo failed; log: $WORK_DIR/demo-build.log"; }
	log "booting the patched kernel"
	"$REPO_ROOT/vm/run.sh" --timeout 600 -- "$REPO_ROOT/vm/guest-demo.sh" "$DEMO_OUT"
}

main "$@"
