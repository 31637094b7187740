#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Mutation check: proof that the tests fail when the helper is wrong.
#
# Each file in tests/mutations/ is a diff against the series' kernel that
# breaks the helper (or its verifier rule) in one plausible way, with what
# it breaks and, on its Caught-by line, the checks that must catch it (an
# extended regex over the names and messages of failed checks). For each
# mutation this builds the kernel with it (a relink), boots it, runs the
# helper's tests under both runners, the leak check, the fuzzer, a short
# stress and the dmesg scan (kmemleak too in the debug kernel), and prints
# a table: mutation, the checks that failed, verdict.
#
# A mutation is CAUGHT when the kernel that booted is the mutated one (its
# version string names the mutation) and a check its Caught-by names
# failed. A build that failed, a VM that did not boot or finish, or
# failures of other checks only are not catches. Not part of `make test`
# (each mutation is a relink and a VM run, about 5 min); run it with
# `make mutation`.
#
# Usage: tests/mutation.sh [--report] [--debug] [all|NAME...]    (default: all)
#   --debug   mutate and run the debug kernel (KASAN, kmemleak, lockdep)
#   --report  build and run nothing: the table again from the last run's
#             result files and consoles
set -euo pipefail
CFUR_RESULTS="$(mktemp)"
export CFUR_RESULTS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/vm-checks.sh"

readonly MUTATIONS_DIR="$REPO_ROOT/tests/mutations"
readonly FUZZ_CALLS=20000
readonly STRESS_SECONDS=10
# The checks take about 2 min in the normal kernel and 4 in the debug one;
# a leaked mmap_lock leaves an unkillable task that only the timeout ends.
VM_TIMEOUT=480

TREE="$BASE_REPO"
BUILD_ARGS=()
CHECKS_ARGS=()
KIND=""
CONSOLE=""
RESULTS=""
TABLE="$REPO_ROOT/out/mutation/table.txt"

# field MUTATION KEY: the value of "KEY: ..." in the mutation's header.
field() {
	sed -n "s/^$2: //p;/^diff --git /q" "$MUTATIONS_DIR/$1.diff"
}

# The mutations' names, from tests/mutations/*.diff.
all_mutations() {
	find "$MUTATIONS_DIR" -name '*.diff' -printf '%f\n' | sed 's/\.diff$//' | sort
}

# The kernel files the mutations touch, put back as the series has them.
restore() {
	kgit -C "$TREE" checkout -q -- kernel/bpf/helpers.c kernel/bpf/verifier.c kernel/trace/bpf_trace.c
}

# relink LOG [KBUILD_BUILD_VERSION]: the kernel in TREE, built without
# build-kernel.sh (which would check the series out over the mutation),
# with the image holding that kernel: uname -v keeps 64 characters, which a
# long mutation name fills before the build time, so vm/run.sh alone could
# not tell two builds of one mutation apart.
relink() {
	kmake "$TREE" -s ${2:+KBUILD_BUILD_VERSION="$2"} >"$1" 2>&1 && payload_is_fresh "$TREE"
}

build_all() {
	"$REPO_ROOT/tooling/build-kernel.sh" "${BUILD_ARGS[@]}" >/dev/null
	[[ ${#BUILD_ARGS[@]} -eq 0 ]] || "$REPO_ROOT/tooling/build-kernel.sh" >/dev/null
	"$REPO_ROOT/tooling/build-selftests.sh" >/dev/null
	build_tools "$WORK_DIR/mutation-tools-build.log" runner reliability
}

# run_files NAME: the console and the results directory of NAME's run,
# for the checks (tests/vm-checks.sh).
run_files() {
	CONSOLE="$WORK_DIR/mutation-$1$KIND.log"
	# shellcheck disable=SC2034 # read by tests/vm-checks.sh
	RESULTS="$WORK_DIR/mutation-$1$KIND-results"
}

# failed_checks: the FAIL lines of the checks run on CONSOLE, and the
# assertions the thin runner saw fail, one per line.
failed_checks() {
	: >"$CFUR_RESULTS"
	{
		check_runner mutation test_progs
		check_runner mutation cfur-runner
		check_leak mutation
		check_reliability mutation "$FUZZ_CALLS"
		check_scan mutation "${CHECKS_ARGS[@]}"
	} >/dev/null 2>&1
	sed -n 's/^FAIL mutation //p' "$CFUR_RESULTS"
	block cfur-runner | sed -nE 's/^  [a-z_0-9]+:[0-9]+: FAIL (.*)/assert: \1/p;s/^  ([^ ].*): (crashed|no progress)(.*)/\1: \2\3/p'
}

# verdict NAME: judges the result files and console of NAME's run; prints "NAME<TAB>the
# checks that caught it<TAB>verdict<TAB>whether test_progs alone failed",
# the last for a maintainer who runs only the upstream selftests.
verdict() {
	local name="$1" up failed caught shown others v upstream
	run_files "$name"
	up="$(tr -d '\r' <"$CONSOLE" 2>/dev/null | grep -m1 '^CFUR-GUEST-UP ' || true)"
	if [[ "$up" != *"#mutation-$name "* ]]; then
		printf '%s\t-\tNOT SHOWN: the booted kernel is not the mutated one (%s; console: %s)\t-\n' \
			"$name" "${up:-no guest}" "$CONSOLE"
		return
	fi
	failed="$(failed_checks | sed -E 's/ \(see [^)]*\)//g' | sort -u)"
	caught="$(grep -E -- "$(field "$name" Caught-by)" <<<"$failed" || true)"
	# the catching checks, short: "[runner] test: reason" cut to one line each
	shown="$(sed -E 's/^\[([a-z_-]+)\] copy_from_user_remote\//[\1] /
		s/^\[([a-z_-]+)\] verifier_copy_from_user_remote[a-z_]*\/copy_from_user_remote: /[\1] verifier: /' <<<"$caught" |
		cut -c1-50 | head -n 3 | paste -sd';' -)"
	others=$(($(grep -c . <<<"$failed") - $(grep -c . <<<"$caught")))
	[[ $(grep -c . <<<"$caught") -le 3 ]] || shown+="; +$(($(grep -c . <<<"$caught") - 3)) more"
	[[ $others -le 0 ]] || shown+=" (and $others other failures)"
	if [[ -n "$caught" ]]; then
		v="CAUGHT"
		grep -q '^CFUR-GUEST-DONE' <(tr -d '\r' <"$CONSOLE") || v+=" (then the VM hung until its timeout)"
	elif [[ -n "$failed" ]]; then
		v="NOT CAUGHT by its checks ($(field "$name" Caught-by))"
	else
		v="NOT CAUGHT: every check passed"
	fi
	upstream=no
	! grep -q '^\[test_progs\] ' <<<"$failed" || upstream=yes
	printf '%s\t%s\t%s\t%s\n' "$name" "${shown:--}" "$v" "$upstream"
}

# run_one NAME: builds and boots NAME's kernel, then judges it (verdict).
run_one() {
	local name="$1" logf="$WORK_DIR/mutation-build.log"
	run_files "$name"
	restore
	if ! kgit -C "$TREE" apply "$MUTATIONS_DIR/$name.diff" 2>/dev/null; then
		printf '%s\t-\tDIFF DOES NOT APPLY (the helper changed: update tests/mutations/%s.diff)\t-\n' "$name" "$name"
		return
	fi
	log "mutation $name ($(field "$name" Breaks)): relinking the ${KIND:+debug }kernel"
	if ! relink "$logf" "mutation-$name"; then
		printf '%s\t-\tBUILD FAILED (log: %s)\t-\n' "$name" "$logf"
		return
	fi
	log "mutation $name: running the checks in the VM"
	run_guest_tests "$TREE/arch/x86/boot/bzImage" "$VM_TIMEOUT" --fuzz-calls "$FUZZ_CALLS" \
		--stress-seconds "$STRESS_SECONDS" >/dev/null 2>&1 || true
	verdict "$name"
}

# print_table ROWS MINUTES: the table, on the terminal and in TABLE.
print_table() {
	mkdir -p "$(dirname "$TABLE")"
	{
		printf 'mutation kernel: %s%s, %d mutations%s\n' "$(basename "$TREE")" "${KIND:+ (debug)}" \
			"$(grep -c . <<<"$1")" "${2:+ in $2 min}"
		printf '%-25s  %-10s  %-90s  %s\n' mutation test_progs "the checks that caught it" verdict
		awk -F'\t' '{ printf "%-25s  %-10s  %-90s  %s\n", $1, $4, $2, $3 }' <<<"$1"
	} | tee "$TABLE"
}

main() {
	local names=() name rows start
	local report=0
	if [[ "${1:-}" == --report ]]; then
		report=1
		shift
	fi
	if [[ "${1:-}" == --debug ]]; then
		TREE="$DEBUG_TREE" BUILD_ARGS=(--debug) CHECKS_ARGS=(kmemleak) KIND="-debug"
		VM_TIMEOUT=900 TABLE="$REPO_ROOT/out/mutation/table-debug.txt"
		shift
	fi
	[[ $# -gt 0 && "$1" != all ]] || mapfile -t names < <(all_mutations)
	for name in "$@"; do
		[[ "$name" != all ]] || continue
		[[ -f "$MUTATIONS_DIR/$name.diff" ]] ||
			die "unknown mutation '$name' (have: $(all_mutations | paste -sd' ' -))"
		names+=("$name")
	done
	if [[ $report -eq 1 ]]; then
		rows="$(for name in "${names[@]}"; do verdict "$name"; done)"
		print_table "$rows"
	else
		lock_builds
		build_all
		trap 'restore; relink /dev/null || true' EXIT
		start=$(date +%s)
		rows="$(for name in "${names[@]}"; do run_one "$name"; done)"
		print_table "$rows" $((($(date +%s) - start) / 60))
		log "rebuilding the unmutated kernel"
	fi
	log "table: ${TABLE#"$REPO_ROOT"/}; consoles: $WORK_DIR/mutation-NAME$KIND.log"
	rm -f "$CFUR_RESULTS"
	! cut -f3 <<<"$rows" | grep -qv '^CAUGHT'
}

main "$@"
