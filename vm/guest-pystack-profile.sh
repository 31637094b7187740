#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: where a pystack walker's time goes while it samples the
# two-thread test program (a 50-frame main thread, a busy worker) at RATE.
# pystack samples for SECONDS + 2; perf(1) records it for SECONDS once it
# has started sampling (not while it loads its BPF programs). Printed:
# pystack's summary, then the symbols that hold at least 1.5% of its
# time, with and without what they call.
# Usage: guest-pystack-profile.sh PYSTACK TARGET_DIR OUT_DIR WALKER RATE SECONDS
set -euo pipefail
readonly pystack="$1" targets="$2" out="$3" walker="$4" rate="$5" seconds="$6"
readonly python=/usr/bin/python3.11
target=""
sampler=""

stop() {
	[[ -z "$sampler" ]] || kill "$sampler" 2>/dev/null || true
	[[ -z "$target" ]] || kill "$target" 2>/dev/null || true
}
trap stop EXIT
# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"

report() {
	local how="$1"
	echo "== $walker at $rate Hz, ${seconds} s: symbols by $how"
	perf report -i "$out/perf.data" "--$how" --sort dso,sym -g none --percent-limit 1.5 \
		2>/dev/null | grep -v -e '^#' -e '^$' | cut -c1-140
}

mkdir -p "$out"
"$python" "$targets/target.py" "$out/profile.expected" 50 --busy >"$out/target.log" 2>&1 &
target=$!
wait_for "$out/target.log" '^ready ' "$target"
"$pystack" --pid "$target" --walker "$walker" --rate "$rate" --duration $((seconds + 2)) \
	--out "$out/run" >"$out/pystack.log" 2>&1 &
sampler=$!
wait_for "$out/pystack.log" '^pystack: sampling' "$sampler"
perf record -F 999 -g -p "$sampler" -o "$out/perf.data" -- sleep "$seconds" >"$out/perf.log" 2>&1
wait "$sampler"
sampler=""
cat "$out/run/summary.txt"
report no-children
report children
