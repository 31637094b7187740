#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job: boots the patched kernel and shows the helper reading another
# process's secret, next to what process_vm_readv reads.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DEMO_OUT="$(tool_out demo)"
readonly DEMO_OUT

main() {
	"$REPO_ROOT/tooling/build-kernel.sh"
	log "building cfur-peek and cfur-secret"
	build_tools "$WORK_DIR/demo-build.log" demo || exit 1
	log "booting the patched kernel"
	"$REPO_ROOT/vm/run.sh" --timeout 600 -- "$REPO_ROOT/vm/guest-demo.sh" "$DEMO_OUT"
}

main "$@"
