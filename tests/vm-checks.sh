# SPDX-License-Identifier: GPL-2.0
# Checks on a VM console, shared by the vm and debug suites. Set CONSOLE
# before calling; each check records PASS or FAIL lines (tests/lib.sh).
# shellcheck shell=bash

# What both runners must report: 20 subtests and 34 verifier cases.
readonly EXPECTED_SUBTESTS=54

# block NAME: the console lines between CFUR-BEGIN NAME and CFUR-END NAME.
block() {
	tr -d '\r' <"$CONSOLE" | sed -n "/^CFUR-BEGIN $1\$/,/^CFUR-END $1/p"
}

# Prints "name verdict" for each subtest a runner reported.
subtests_of() {
	local runner="$1"
	block "$runner" |
		if [[ "$runner" == test_progs ]]; then
			sed -nE 's/^#[0-9]+\/[0-9]+[[:space:]]+(.*):(OK|FAIL|SKIP)$/\1\t\2/p'
		else
			sed -nE 's/^([a-z_]+\/.*[^[:space:]])[[:space:]]+(OK|FAIL|SKIP)$/\1\t\2/p'
		fi | awk '!seen[$0]++' # test_progs repeats failed subtests in its summary
}

# check_runner PREFIX RUNNER: every subtest passed, and all of them ran.
check_runner() {
	local prefix="$1" runner="$2" n=0 name verdict status
	while IFS=$'\t' read -r name verdict; do
		n=$((n + 1))
		case "$verdict" in
		OK) pass "$prefix [$runner] $name" ;;
		SKIP) fail "$prefix [$runner] $name" "skipped (every subtest is expected to run here)" ;;
		*) fail "$prefix [$runner] $name" "failed (see $CONSOLE)" ;;
		esac
	done < <(subtests_of "$runner")
	if [[ $n -eq $EXPECTED_SUBTESTS ]]; then
		pass "$prefix [$runner] ran all $EXPECTED_SUBTESTS subtests"
	else
		fail "$prefix [$runner] ran all $EXPECTED_SUBTESTS subtests" "reported $n"
	fi
	status="$(block "$runner" | sed -nE "s/^CFUR-END $runner rc=([0-9]+)\$/\1/p")"
	if [[ "$status" == 0 ]]; then
		pass "$prefix [$runner] exited with status 0"
	else
		block "$runner" | tail -n 5 >&2
		fail "$prefix [$runner] exited with status 0" "status ${status:-unknown: no end marker, the runner or the VM died} (see $CONSOLE)"
	fi
}

# check_reliability PREFIX MIN_CALLS: the fuzzer made MIN_CALLS calls with no
# wrong result; the stress saw no wrong value.
check_reliability() {
	local prefix="$1" min="$2" fuzz stress summary calls
	fuzz="$(block fuzz)"
	summary="$(grep -E '^cfur-fuzz: [0-9]+ calls' <<<"$fuzz" || true)"
	calls="$(sed -nE 's/^cfur-fuzz: ([0-9]+) calls.*/\1/p' <<<"$summary")"
	if grep -q '^CFUR-END fuzz rc=0' <<<"$fuzz" && [[ -n "$calls" && "$calls" -ge "$min" ]]; then
		pass "$prefix fuzz: ${summary#cfur-fuzz: }"
	else
		grep -E '^(WRONG|cfur-fuzz)' <<<"$fuzz" | head -n 12 >&2 || true
		fail "$prefix fuzz: at least $min calls, none wrong" "${summary:-no summary} (see $CONSOLE)"
	fi
	stress="$(block stress)"
	summary="$(grep -E '^cfur-stress: [0-9.]+ s' <<<"$stress" || true)"
	if grep -q '^CFUR-END stress rc=0' <<<"$stress"; then
		pass "$prefix stress: ${summary#cfur-stress: }"
	else
		grep -E '^(WRONG|cfur-stress)' <<<"$stress" | head -n 12 >&2 || true
		fail "$prefix stress: no wrong value, every outcome seen" "${summary:-no summary} (see $CONSOLE)"
	fi
}

# check_leak PREFIX: targets read in full by the helper gave their memory
# back when they exited (no page or mm reference kept).
check_leak() {
	local prefix="$1" out summary
	out="$(block leak)"
	summary="$(grep -E '^cfur-leak: ' <<<"$out" || true)"
	if grep -q '^CFUR-END leak rc=0' <<<"$out"; then
		pass "$prefix leak: ${summary#cfur-leak: }"
	else
		grep -E '^(LEAK|WRONG|cfur-leak)' <<<"$out" | head -n 5 >&2 || true
		fail "$prefix leak: the targets' memory comes back after the helper read it all" \
			"$(grep -E '^(LEAK|WRONG)' <<<"$out" | head -n1 || true) ${summary:-no summary} (see $CONSOLE)"
	fi
}

# check_scan PREFIX [kmemleak]: no kernel complaint in dmesg; with
# "kmemleak", also no leak in a forced scan.
check_scan() {
	local prefix="$1" want_kmemleak="${2:-}" hits leaks
	hits="$(block dmesg | sed -nE 's/^CFUR-END dmesg hits=([0-9]+)$/\1/p')"
	if [[ "$hits" == 0 ]]; then
		pass "$prefix dmesg: no BUG, WARNING, KASAN, lockdep, RCU or refcount report"
	else
		block dmesg | head -n 40 >&2 || true
		fail "$prefix dmesg: no BUG, WARNING, KASAN, lockdep, RCU or refcount report" \
			"${hits:-no scan} report lines (see $CONSOLE)"
	fi
	[[ "$want_kmemleak" == kmemleak ]] || return 0
	leaks="$(block kmemleak | sed -nE 's/^CFUR-END kmemleak leaks=([0-9]+)$/\1/p')"
	if [[ "$leaks" == 0 ]]; then
		pass "$prefix kmemleak: a forced scan found no leak"
	else
		block kmemleak | head -n 40 >&2 || true
		fail "$prefix kmemleak: a forced scan found no leak" "${leaks:-no scan} leaks (see $CONSOLE)"
	fi
}

# pystack's checks, shared with the host suite.
source "$(dirname "${BASH_SOURCE[0]}")/pystack-checks.sh"
