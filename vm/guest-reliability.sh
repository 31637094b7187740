#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: the leak check, the argument fuzzer and the churn stress,
# each between CFUR markers. Usage: guest-reliability.sh BUILD_DIR FUZZ_CALLS STRESS_SECONDS
dir="$1"
calls="$2"
seconds="$3"
rc=0
# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"

run_block leak "$dir/cfur-leak"
run_block fuzz timed "$dir/cfur-fuzz" --calls "$calls"
run_block stress "$dir/cfur-stress" --seconds "$seconds" --pid-max 1024
exit "$rc"
