#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM, in the selftests directory: the helper's tests under both
# runners, then the demo. Usage: guest-tests.sh RUNNER_BINARY DEMO_DIR
runner="$1"
demo="$2"
pattern="copy_from_user_remote"
rc=0

echo "CFUR-BEGIN test_progs"
./test_progs -t "$pattern" || rc=1
echo "CFUR-END test_progs"

echo "CFUR-BEGIN cfur-runner"
"$runner" -t "$pattern" || rc=1
echo "CFUR-END cfur-runner"

"$(dirname "$0")/guest-demo.sh" "$demo" || rc=1

exit "$rc"
