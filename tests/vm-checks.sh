# SPDX-License-Identifier: GPL-2.0
# Checks on a VM's run, shared by the vm, debug, mutation and kmod suites.
# They read the result files the guest wrote in RESULTS (the VM's results
# share: vm/guest-lib.sh); CONSOLE is where a person reads the run. Set
# both before calling; each check records PASS or FAIL lines
# (tests/lib.sh).
# shellcheck shell=bash

# The helper's tests, as the overlay has them.
readonly HELPER_SELFTESTS="$REPO_ROOT/tools/testing/selftests/bpf"
# What the thin runner must report of the module's kfunc (kmod/tests).
readonly EXPECTED_KFUNC_SUBTESTS=31

# expected_subtests [SELFTESTS_DIR]: the subtests that both runners'
# "-t copy_from_user_remote" runs, from the test files in SELFTESTS_DIR
# (default the overlay's): one per test__start_subtest("NAME") in
# prog_tests/copy_from_user_remote.c, and the verifier cases of
# progs/verifier_copy_from_user_remote*.c (one RUN_TESTS each, in
# prog_tests/verifier.c) as test_loader.c makes them: each program (a
# SEC("...") line starting its annotations) that is not __auxiliary runs
# privileged if it has a privileged expectation or no unprivileged one,
# and unprivileged if it has an unprivileged one (*_unpriv).
expected_subtests() {
	local dir="${1:-$HELPER_SELFTESTS}" subtests cases
	subtests="$(grep -o 'test__start_subtest("[^"]*")' "$dir/prog_tests/copy_from_user_remote.c" | sort -u | wc -l)"
	cases="$(awk '
		function done() {
			if (open && !aux) n += (priv || !unpriv) + unpriv
			open = 0
		}
		/^SEC\(/ { done(); open = 1; priv = unpriv = aux = 0; next }
		open && /^__/ {
			if (/^__auxiliary/) aux = 1
			else if (/_unpriv/) unpriv = 1
			else if (/^__(success|failure|msg|retval|xlated|jited)/) priv = 1
			next
		}
		{ done() }
		END { done(); print n + 0 }' "$dir"/progs/verifier_copy_from_user_remote*.c)"
	echo $((subtests + cases))
}

# run_guest_tests KERNEL TIMEOUT OPTION...: boots KERNEL and runs
# vm/guest-tests.sh there with the thin runner, the reliability tools and
# OPTIONs (its named options), the console to CONSOLE, the result files
# to RESULTS (made afresh, the VM's results share); vm/run.sh's status.
run_guest_tests() {
	local kernel="$1" timeout="$2"
	shift 2
	rm -rf "$RESULTS" && mkdir -p "$RESULTS" || return 1
	"$REPO_ROOT/vm/run.sh" --kernel "$kernel" --cwd "$BASE_REPO/tools/testing/selftests/bpf" \
		--timeout "$timeout" --log "$CONSOLE" --share "$RESULTS" -- \
		"$REPO_ROOT/vm/guest-tests.sh" --results "$RESULTS" --pattern "$SELFTESTS_PATTERN" \
		--runner "$(tool_out runner)/cfur-runner" \
		--reliability "$(tool_out reliability)" "$@"
}

# result_status NAME: the exit status of the guest's block NAME
# (NAME.rc), or nothing if it did not end.
result_status() { cat "$RESULTS/$1.rc" 2>/dev/null || true; }

# check_status NAME WHAT: WHAT (its block NAME) exited with status 0.
check_status() {
	local status
	status="$(result_status "$1")"
	if [[ "$status" == 0 ]]; then
		pass "$2 exited with status 0"
	else
		block "$1" | tail -n 5 >&2 || true
		fail "$2 exited with status 0" "status ${status:-unknown: no $1.rc, it or the VM died} (see $CONSOLE)"
	fi
}

# check_runner PREFIX RUNNER [EXPECTED]: the runner's JSON summary
# (RESULTS/RUNNER.json, test_progs' --json-summary format: counts, and
# the failed tests with their failed subtests): no subtest failed or was
# skipped, and all of them (EXPECTED, default the helper's) ran; then its
# exit status.
check_runner() {
	local prefix="$1 [$2]" runner="$2" expected="${3:-$(expected_subtests "$HELPER_SELFTESTS")}" json="$RESULTS/$2.json"
	local counts passed skipped failed ran name why
	if ! counts="$(jq -er '[.success_subtest, .skipped,
			([.results[] | (.subtests // [])[] | select(.failed)] | length)] | @tsv' "$json" 2>/dev/null)"; then
		fail "$prefix ran all $expected subtests" "no JSON summary ($json; see $CONSOLE)"
		check_status "$runner" "$prefix"
		return 0
	fi
	read -r passed skipped failed <<<"$counts"
	# each failure by name, with the first failed assertion of its log
	while IFS=$'\t' read -r name why; do
		fail "$prefix $name" "failed: ${why:0:200}"
	done < <(jq -r 'def why: (.message // "") | split("\n") | map(select(length > 0))
			| (map(select(test(":FAIL:|FAIL "))) + [last // ""])[0];
		.results[] | select(.failed) | . as $t
		| [(.subtests // [])[] | select(.failed)] as $subs
		| if ($subs | length) > 0 then $subs[] | [$t.name + "/" + .name, why]
		  else [$t.name, why] end | @tsv' "$json")
	# each subtest the runner names as passed: the thin runners list every
	# one, test_progs only the failed (its 6.12 format)
	while read -r name; do
		pass "$prefix $name"
	done < <(jq -r '.results[] | . as $t | (.subtests // [])[] | select(.failed | not)
		| $t.name + "/" + .name' "$json")
	ran=$((passed + skipped + failed))
	if [[ $ran -eq $expected ]]; then
		pass "$prefix ran all $expected subtests"
	else
		fail "$prefix ran all $expected subtests" "reported $ran"
	fi
	if [[ $passed -eq $ran && $ran -gt 0 ]]; then
		pass "$prefix every subtest passed"
	else
		fail "$prefix every subtest passed" "$passed passed, $failed failed, $skipped skipped (every subtest is expected to run here; see $CONSOLE)"
	fi
	check_status "$runner" "$prefix"
}

# check_reliability PREFIX MIN_CALLS [BLOCKS]: the fuzzer made MIN_CALLS
# calls with no wrong result; the stress saw no wrong value. BLOCKS prefixes
# the block names ("kfunc-": the runs with --via kfunc).
check_reliability() {
	local prefix="$1" min="$2" b="${3:-}" fuzz stress summary calls
	fuzz="$(block "${b}fuzz")"
	summary="$(grep -E '^cfur-fuzz: [0-9]+ calls' <<<"$fuzz" || true)"
	calls="$(sed -nE 's/^cfur-fuzz: ([0-9]+) calls.*/\1/p' <<<"$summary")"
	if [[ "$(result_status "${b}fuzz")" == 0 && -n "$calls" && "$calls" -ge "$min" ]]; then
		pass "$prefix ${b}fuzz: ${summary#cfur-fuzz: }"
	else
		grep -E '^(WRONG|cfur-fuzz)' <<<"$fuzz" | head -n 12 >&2 || true
		fail "$prefix ${b}fuzz: at least $min calls, none wrong" "${summary:-no summary} (see $CONSOLE)"
	fi
	stress="$(block "${b}stress")"
	summary="$(grep -E '^cfur-stress: [0-9.]+ s' <<<"$stress" || true)"
	if [[ "$(result_status "${b}stress")" == 0 ]]; then
		pass "$prefix ${b}stress: ${summary#cfur-stress: }"
	else
		grep -E '^(WRONG|cfur-stress)' <<<"$stress" | head -n 12 >&2 || true
		fail "$prefix ${b}stress: no wrong value, every outcome seen" "${summary:-no summary} (see $CONSOLE)"
	fi
}

# check_leak PREFIX [BLOCKS]: targets read in full gave their memory back
# when they exited (no page or mm reference kept).
check_leak() {
	local prefix="$1" b="${2:-}" out summary
	out="$(block "${b}leak")"
	summary="$(grep -E '^cfur-leak: ' <<<"$out" || true)"
	if [[ "$(result_status "${b}leak")" == 0 ]]; then
		pass "$prefix ${b}leak: ${summary#cfur-leak: }"
	else
		grep -E '^(LEAK|WRONG|cfur-leak)' <<<"$out" | head -n 5 >&2 || true
		fail "$prefix ${b}leak: the targets' memory comes back after it was read in full" \
			"$(grep -E '^(LEAK|WRONG)' <<<"$out" | head -n1 || true) ${summary:-no summary} (see $CONSOLE)"
	fi
}

# check_scan PREFIX [kmemleak]: no kernel complaint in dmesg; with
# "kmemleak", also no leak in a forced scan (vm/guest-scan.sh's counts,
# dmesg.hits and kmemleak.leaks).
check_scan() {
	local prefix="$1" want_kmemleak="${2:-}" hits leaks
	hits="$(cat "$RESULTS/dmesg.hits" 2>/dev/null || true)"
	if [[ "$hits" == 0 ]]; then
		pass "$prefix dmesg: no BUG, WARNING, KASAN, lockdep, RCU or refcount report"
	else
		block dmesg | head -n 40 >&2 || true
		fail "$prefix dmesg: no BUG, WARNING, KASAN, lockdep, RCU or refcount report" \
			"${hits:-no scan} report lines (see $CONSOLE)"
	fi
	[[ "$want_kmemleak" == kmemleak ]] || return 0
	leaks="$(cat "$RESULTS/kmemleak.leaks" 2>/dev/null || true)"
	if [[ "$leaks" == 0 ]]; then
		pass "$prefix kmemleak: a forced scan found no leak"
	else
		block kmemleak | head -n 40 >&2 || true
		fail "$prefix kmemleak: a forced scan found no leak" "${leaks:-no scan} leaks (see $CONSOLE)"
	fi
}

# pystack's checks, shared with the host suite.
source "$(dirname "${BASH_SOURCE[0]}")/pystack-checks.sh"

# check_demo PREFIX VIA: the demo's secret, read through VIA (the helper,
# the kfunc), equals process_vm_readv's; its error cases are explained.
check_demo() {
	local prefix="$1" via="$2" demo want
	demo="$(block demo)"
	if grep -q '^process_vm_readv: the same 64 bytes$' <<<"$demo" &&
		grep -q '^CFUR-END demo rc=0$' <<<"$demo"; then
		pass "$prefix demo: the secret read via the $via equals process_vm_readv's"
	else
		fail "$prefix demo: the secret read via the $via equals process_vm_readv's" "see $CONSOLE"
	fi
	for want in 'no process with pid 999999' 'cannot be read at 0x10' 'no process with pid 2 .*kernel thread'; do
		if grep -Eq "cfur-peek: .*$want" <<<"$demo"; then
			pass "$prefix demo: clear error: $want"
		else
			fail "$prefix demo: clear error: $want" "message not found in $CONSOLE"
		fi
	done
}

# check_bench_smoke PREFIX PATH...: cfur-bench ran each PATH (its chase
# row of bench-smoke/summary.csv) and ended well.
check_bench_smoke() {
	local prefix="$1" ran path missing=()
	shift
	ran=" $(csv_where "$RESULTS/bench-smoke/summary.csv" workload chase path 2>/dev/null | paste -sd' ' - || true) "
	for path in "$@"; do
		[[ "$ran" == *" $path "* ]] || missing+=("$path")
	done
	if [[ "$(result_status bench-smoke)" == 0 && ${#missing[@]} -eq 0 ]]; then
		pass "$prefix bench smoke: cfur-bench runs the paths $*"
	else
		block bench-smoke | grep -E 'error|SKIPPED' | head -n 5 >&2 || true
		fail "$prefix bench smoke: cfur-bench runs the paths $*" "missing: ${missing[*]:-none} (see $CONSOLE)"
	fi
}

# check_guest_checks PREFIX BLOCK: a guest script's own checks, "PASS name"
# or "FAIL name: why" lines in BLOCK.checks (vm/guest-lib.sh, check); none
# at all is a failure.
check_guest_checks() {
	local prefix="$1" blk="$2" n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		case "$line" in
		PASS\ *) pass "$prefix ${line#PASS }" ;;
		FAIL\ *) fail "$prefix ${line#FAIL }" "see $CONSOLE" ;;
		esac
	done < <(grep -E '^(PASS|FAIL) ' "$RESULTS/$blk.checks" 2>/dev/null)
	[[ $n -gt 0 ]] || fail "$prefix guest checks ($blk)" "none reported (the VM died? see $CONSOLE)"
}

# check_kmod_beside_helper PREFIX: the kfunc's module in the patched kernel
# (guest-tests.sh): loaded beside helper 212, its cases under the thin
# runner, the leak check, fuzzer and stress through the kfunc, unloaded.
check_kmod_beside_helper() {
	local prefix="$1 kmod"
	check_guest_checks "$prefix" kmod
	check_runner "$prefix" cfur-kmod-runner "$EXPECTED_KFUNC_SUBTESTS"
	check_leak "$prefix" kfunc-
	check_reliability "$prefix" "$FUZZ_CALLS" kfunc-
	check_guest_checks "$prefix" kmod-unload
}
