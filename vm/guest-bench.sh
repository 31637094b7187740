#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: the benchmark, its output in a directory the host shares.
# With --module, the kfunc's module is loaded first (cfur-bench's kfunc
# path beside the helper's) and unloaded after.
# Usage: guest-bench.sh [--module KO] CFUR_BENCH OUT_DIR [ARG...]
module=""
if [[ "${1:-}" == --module ]]; then
	module="$2"
	shift 2
fi
bench="$1"
out="$2"
shift 2
# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"
if [[ -n "$module" ]] && ! insmod "$module"; then
	echo "error: insmod $module failed: cfur-bench's kfunc path will be skipped" >&2
	module=""
fi
echo "CFUR-BEGIN bench"
"$bench" --out "$out" "$@"
rc=$?
echo "CFUR-END bench rc=$rc"
[[ -z "$module" ]] || rmmod_when_unused copy_from_user_pid || rc=1
exit "$rc"
