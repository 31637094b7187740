#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the patched kernel, test_progs and the thin runner, boots the kernel
# under QEMU and runs the helper's tests with both runners. Each subtest's
# verdict becomes a PASS or FAIL line; a subtest that did not run, or a VM
# that did not boot, is a FAIL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly SELFTESTS="$BASE_REPO/tools/testing/selftests/bpf"
readonly RUNNER_OUT="$WORK_DIR/runner"
readonly DEMO_OUT="$WORK_DIR/demo"
readonly CONSOLE="$WORK_DIR/vmtest-console.log"
# What both runners must report: 8 subtests and 6 verifier cases.
readonly EXPECTED_SUBTESTS=14

build() {
	"$REPO_ROOT/tooling/build-kernel.sh" &&
		"$REPO_ROOT/tooling/build-selftests.sh" &&
		log "building the thin runner" &&
		make -s -C "$REPO_ROOT/runner" KERNEL="$BASE_REPO" OUT="$RUNNER_OUT" >"$WORK_DIR/runner-build.log" 2>&1 &&
		make -s -C "$REPO_ROOT/demo" KERNEL="$BASE_REPO" OUT="$DEMO_OUT" >>"$WORK_DIR/runner-build.log" 2>&1 ||
		{ tail -n 20 "$WORK_DIR/runner-build.log" >&2; return 1; }
}

# Prints "name verdict" for each subtest a runner reported in the console.
subtests_of() {
	local runner="$1"
	tr -d '\r' <"$CONSOLE" | sed -n "/^CFUR-BEGIN $runner\$/,/^CFUR-END $runner\$/p" |
		if [[ "$runner" == test_progs ]]; then
			sed -nE 's/^#[0-9]+\/[0-9]+[[:space:]]+(.*):(OK|FAIL|SKIP)$/\1\t\2/p'
		else
			sed -nE 's/^([a-z_]+\/.*[^[:space:]])[[:space:]]+(OK|FAIL|SKIP)$/\1\t\2/p'
		fi
}

record() {
	local runner="$1" n=0 name verdict
	while IFS=$'\t' read -r name verdict; do
		n=$((n + 1))
		case "$verdict" in
		OK) pass "vm [$runner] $name" ;;
		SKIP) fail "vm [$runner] $name" "skipped (every subtest is expected to run here)" ;;
		*) fail "vm [$runner] $name" "failed (see $CONSOLE)" ;;
		esac
	done < <(subtests_of "$runner")
	if [[ $n -eq $EXPECTED_SUBTESTS ]]; then
		pass "vm [$runner] ran all $EXPECTED_SUBTESTS subtests"
	else
		fail "vm [$runner] ran all $EXPECTED_SUBTESTS subtests" "reported $n"
	fi
}

main() {
	local rc=0
	if ! build; then
		fail "vm: build the kernel, test_progs and the thin runner" "build failed (above)"
		return 0
	fi
	log "booting the patched kernel and running the tests (TCG: a few minutes)"
	"$REPO_ROOT/vm/run.sh" --cwd "$SELFTESTS" --timeout 1800 --log "$CONSOLE" -- \
		"$REPO_ROOT/vm/guest-tests.sh" "$RUNNER_OUT/cfur-runner" "$DEMO_OUT" || rc=$?
	if [[ $rc -eq 125 ]]; then
		fail "vm: the VM booted and ran the tests" "it did not (above)"
		return 0
	fi
	pass "vm: the VM booted and ran the tests (accelerator: $(cat "$WORK_DIR/vm-last-accel"))"
	record test_progs
	record cfur-runner
	check_demo
}

# The demo's secret, read through the helper, equals process_vm_readv's; its
# error cases are explained.
check_demo() {
	local demo
	demo="$(tr -d '\r' <"$CONSOLE" | sed -n '/^CFUR-BEGIN demo$/,/^CFUR-END demo/p')"
	if grep -q '^process_vm_readv: the same 64 bytes$' <<<"$demo" &&
		grep -q '^CFUR-END demo rc=0$' <<<"$demo"; then
		pass "vm demo: the secret read via the helper equals process_vm_readv's"
	else
		fail "vm demo: the secret read via the helper equals process_vm_readv's" "see $CONSOLE"
	fi
	local want
	for want in 'no process with pid 999999' 'cannot be read at 0x10' 'no process with pid 2 .*kernel thread'; do
		if grep -Eq "cfur-peek: .*$want" <<<"$demo"; then
			pass "vm demo: clear error: $want"
		else
			fail "vm demo: clear error: $want" "message not found in $CONSOLE"
		fi
	done
}

main "$@"
