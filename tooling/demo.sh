#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job: boots the patched kernel and shows the helper reading another
# process's secret, next to what process_vm_readv reads. With --stock, boots
# Debian 12's own kernel instead, loads the kfunc's module
# (copy_from_user_pid.ko) and shows the same read through the kfunc: what a
# profiler can do on the kernel its users run.
#
# Usage: tooling/demo.sh [--stock]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DEMO_OUT="$(tool_out demo)"
readonly DEMO_OUT

patched() {
	"$REPO_ROOT/tooling/build-kernel.sh"
	log "building cfur-peek and cfur-secret"
	build_tools "$WORK_DIR/demo-build.log" demo || exit 1
	log "booting the patched kernel"
	"$REPO_ROOT/vm/run.sh" --timeout 600 -- "$REPO_ROOT/vm/guest-demo.sh" "$DEMO_OUT"
}

stock() {
	source "$REPO_ROOT/tooling/kmod-lib.sh"
	"$REPO_ROOT/tooling/kmod-build.sh"
	kmod_paths "$(kmod_abi)"
	log "booting Debian's stock kernel $KMOD_KREL with the module"
	"$REPO_ROOT/vm/run-stock.sh" --timeout 600 -- "$REPO_ROOT/vm/guest-demo.sh" \
		--module "$KMOD_OUT/$KMOD_NAME.ko" "$KMOD_TOOLS_OUT/demo"
}

main() {
	case "${1:-}" in
	"") patched ;;
	--stock) stock ;;
	*) die "usage: tooling/demo.sh [--stock]" ;;
	esac
}

main "$@"
