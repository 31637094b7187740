# SPDX-License-Identifier: GPL-2.0
# Test helpers: every check records one PASS or FAIL line in $CFUR_RESULTS.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../tooling/lib.sh"

: "${CFUR_RESULTS:?run the suites through tests/run.sh}"

pass() { printf 'PASS %s\n' "$1" | tee -a "$CFUR_RESULTS"; }

fail() {
	printf 'FAIL %s: %s\n' "$1" "$2" | tee -a "$CFUR_RESULTS"
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

# pystack_row SUMMARY WALKER: "errors match% reads/sample" of WALKER's row
# in a pystack summary table.
pystack_row() {
	awk -v w="$2" '$1 == w && $2 ~ /^[0-9]+$/ {
		pct = $5; gsub(/[()%]/, "", pct); print $3, pct, $NF; exit
	}' <<<"$1"
}

# check_pystack_match NAME SUMMARY WALKER LOG: WALKER's samples in the
# summary all read without error, and at least 99% matched the expected
# stacks exactly.
check_pystack_match() {
	local name="$1" line errors pct found="no summary"
	line="$(pystack_row "$2" "$3")"
	read -r errors pct _ <<<"${line:-x 0 x}"
	[[ -z "$line" ]] || found="$pct% matched, $errors samples with errors"
	if [[ "$errors" == 0 ]] && awk -v p="$pct" 'BEGIN { exit !(p >= 99) }'; then
		pass "$name: ${pct}% of samples match the expected stacks exactly"
	else
		fail "$name: 99% of samples match the expected stacks" "$found (see $4)"
	fi
}
