#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The patched tree builds a bzImage (and modules) with the BPF selftests
# config.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if "$REPO_ROOT/tooling/build-kernel.sh"; then
	pass "kernel: the patched tree builds bzImage + modules with the selftests config"
else
	fail "kernel: the patched tree builds bzImage + modules with the selftests config" \
		"see $WORK_DIR/kernel-build.log"
fi
if [[ -f "$BASE_REPO/vmlinux" ]] &&
	grep -q ' bpf_copy_from_user_remote_proto$' "$BASE_REPO/System.map"; then
	pass "kernel: vmlinux contains bpf_copy_from_user_remote_proto"
else
	fail "kernel: vmlinux contains bpf_copy_from_user_remote_proto" "symbol not in System.map"
fi
