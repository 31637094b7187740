#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: the leak check, the argument fuzzer and the churn stress,
# each between CFUR markers. Usage: guest-reliability.sh BUILD_DIR FUZZ_CALLS STRESS_SECONDS
dir="$1"
calls="$2"
seconds="$3"
rc=0

echo "CFUR-BEGIN leak"
"$dir/cfur-leak"
s=$?
echo "CFUR-END leak rc=$s"
[[ $s -eq 0 ]] || rc=1

echo "CFUR-BEGIN fuzz"
start=$(date +%s)
"$dir/cfur-fuzz" --calls "$calls"
s=$?
echo "CFUR-END fuzz rc=$s seconds=$(($(date +%s) - start))"
[[ $s -eq 0 ]] || rc=1

echo "CFUR-BEGIN stress"
"$dir/cfur-stress" --seconds "$seconds" --pid-max 1024
s=$?
echo "CFUR-END stress rc=$s"
[[ $s -eq 0 ]] || rc=1
exit "$rc"
