#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: the benchmark, its output in a directory the host shares.
# Usage: guest-bench.sh CFUR_BENCH OUT_DIR [ARG...]
bench="$1"
out="$2"
shift 2
echo "CFUR-BEGIN bench"
"$bench" --out "$out" "$@"
rc=$?
echo "CFUR-END bench rc=$rc"
exit "$rc"
