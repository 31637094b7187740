# SPDX-License-Identifier: GPL-2.0
# Test helpers: every check records one PASS or FAIL line in $CFUR_RESULTS.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../tooling/lib.sh"

: "${CFUR_RESULTS:?run the suites through tests/run.sh}"

pass() { printf 'PASS %s\n' "$1" | tee -a "$CFUR_RESULTS"; }

fail() {
	printf 'FAIL %s: %s\n' "$1" "$2" | tee -a "$CFUR_RESULTS"
}

# block NAME [FILE]: the lines of a VM's console (FILE, default CONSOLE)
# between CFUR-BEGIN NAME and CFUR-END NAME (vm/guest-lib.sh), for a
# person to read in a check's message; verdicts come from result files.
block() {
	tr -d '\r' <"${2:-$CONSOLE}" | sed -n "/^CFUR-BEGIN $1\$/,/^CFUR-END $1/p"
}

# expect_ok NAME CMD...: passes if CMD succeeds; shows its output if not.
expect_ok() {
	local name="$1" out
	shift
	if out="$("$@" 2>&1)"; then
		pass "$name"
	else
		printf '%s\n' "$out" | tail -n 30 >&2
		fail "$name" "command failed: $*"
	fi
}

# expect_error NAME PATTERN CMD...: passes if CMD fails and its output
# matches the extended regex PATTERN.
expect_error() {
	local name="$1" pattern="$2" out rc=0
	shift 2
	out="$("$@" 2>&1)" || rc=$?
	if [[ $rc -eq 0 ]]; then
		fail "$name" "expected a failure, but the command succeeded"
	elif ! grep -Eq -- "$pattern" <<<"$out"; then
		printf '%s\n' "$out" | tail -n 20 >&2
		fail "$name" "failed (exit $rc) without the expected message /$pattern/"
	else
		pass "$name"
		printf '    said: %s\n' "$(grep -E -m1 -- "$pattern" <<<"$out")"
	fi
}
