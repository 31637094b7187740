#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make vmtest-debug: builds the debug kernel (tooling/config.debug: KASAN,
# kmemleak, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_VM) and runs, in
# it, the helper's tests under both runners, pystack's three walkers, the
# fuzzer and the stress, then the kfunc's module beside the helper (its
# cases, leak check, fuzzer and stress through it, rmmod); then dmesg must
# hold no report and a forced kmemleak scan no leak. Not part of
# `make test`: the debug kernel is a build of its own (about an hour cold).
#
# FUZZ_CALLS and STRESS_SECONDS (environment) size the run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KMOD_DEBUG="$WORK_DIR/kmod-${DEBUG_TREE##*/}"
readonly KMOD_DEBUG
readonly CONSOLE="$WORK_DIR/vmtest-debug-console.log"
readonly RESULTS="$WORK_DIR/vmtest-debug-results"
readonly FUZZ_CALLS="${FUZZ_CALLS:-100000}"
readonly STRESS_SECONDS="${STRESS_SECONDS:-60}"
source "$REPO_ROOT/tests/vm-checks.sh"

build() {
	"$REPO_ROOT/tooling/build-kernel.sh" --debug &&
		"$REPO_ROOT/tooling/build-kernel.sh" &&
		"$REPO_ROOT/tooling/build-selftests.sh" &&
		build_tools "$WORK_DIR/debug-tools-build.log" runner reliability pystack &&
		"$REPO_ROOT/tooling/kmod-build.sh" --tree "$DEBUG_TREE" "$KMOD_DEBUG"
}

main() {
	local rc=0 start
	if ! build; then
		fail "debug: build the debug kernel and the tools" "build failed (above)"
		return 0
	fi
	log "booting the debug kernel (KASAN and lockdep under TCG: slow)"
	start=$(date +%s)
	run_guest_tests "$DEBUG_TREE/arch/x86/boot/bzImage" 5400 --fuzz-calls "$FUZZ_CALLS" \
		--stress-seconds "$STRESS_SECONDS" --pystack "$(tool_out pystack)/pystack" \
		--kmod-ko "$KMOD_DEBUG/mod/copy_from_user_pid.ko" --kmod-runner "$KMOD_DEBUG/tests/cfur-kmod-runner" ||
		rc=$?
	if [[ $rc -eq 125 ]]; then
		fail "debug: the debug kernel booted and ran the tests" "it did not (above)"
		return 0
	fi
	if grep -q '^CFUR-GUEST-UP .*-cfur-debug' <<<"$(tr -d '\r' <"$CONSOLE")"; then
		pass "debug: the debug kernel booted and ran the tests ($(($(date +%s) - start)) s, $(cat "$WORK_DIR/vm-last-accel"))"
	else
		fail "debug: the debug kernel booted and ran the tests" "the guest is not the -cfur-debug kernel"
	fi
	check_runner debug test_progs
	check_runner debug cfur-runner
	check_reliability debug "$FUZZ_CALLS"
	check_leak debug
	check_pystack debug
	check_pystack_versions debug
	check_pystack_ns debug
	check_kmod_beside_helper debug
	check_scan debug kmemleak
}

main "$@"
