#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM. "mark" remembers where dmesg is and tells kmemleak to
# forget what it found so far; "report" prints, between CFUR markers, the
# kernel's complaints since the mark and (in a kernel with kmemleak) the
# leaks a forced scan finds, and their counts in the result files
# dmesg.hits and kmemleak.leaks (vm/guest-lib.sh).
# Usage: guest-scan.sh mark|report
# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"
readonly MARK=/tmp/cfur-dmesg-mark
readonly KMEMLEAK=/sys/kernel/debug/kmemleak
# What a kernel prints when something is wrong.
readonly PATTERN='BUG:|WARNING:|KASAN|kmemleak:.*leak|Oops|general protection|lockdep|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|RCU stall|self-detected stall|sleeping function called from invalid context|refcount_t:|INFO: task .* blocked|list_add corruption|list_del corruption|UBSAN|stack-protector|FAULT_FLAG_ALLOW_RETRY missing'

case "$1" in
mark)
	dmesg | wc -l >"$MARK"
	[[ -w "$KMEMLEAK" ]] && echo clear >"$KMEMLEAK"
	exit 0
	;;
report) ;;
*) echo "usage: guest-scan.sh mark|report" >&2; exit 2 ;;
esac

start=$(cat "$MARK" 2>/dev/null || echo 0)
hits="$(dmesg | tail -n +"$((start + 1))" | grep -E -A12 "$PATTERN")"
echo "CFUR-BEGIN dmesg"
[[ -n "$hits" ]] && printf '%s\n' "$hits"
n="$(grep -cE "$PATTERN" <<<"$hits")"
echo "$n" >"$(result_file dmesg.hits)"
echo "CFUR-END dmesg hits=$n"

if [[ -w "$KMEMLEAK" ]]; then
	# An object must be unreferenced for a while, and seen by two scans,
	# before kmemleak reports it.
	sleep 6
	echo scan >"$KMEMLEAK"
	sleep 1
	echo scan >"$KMEMLEAK"
	leaks="$(cat "$KMEMLEAK")"
	echo "CFUR-BEGIN kmemleak"
	[[ -n "$leaks" ]] && printf '%s\n' "$leaks" | head -n 200
	n="$(grep -c '^unreferenced object' <<<"$leaks")"
	echo "$n" >"$(result_file kmemleak.leaks)"
	echo "CFUR-END kmemleak leaks=$n"
else
	echo "CFUR-NOTE kmemleak: not in this kernel (the debug kernel has it: make vmtest-debug)"
fi
