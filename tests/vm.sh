#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the patched kernel, test_progs, the thin runner, the demo and the
# reliability tools, boots the kernel under QEMU and runs the helper's tests
# with both runners, the demo, pystack against a test Python program, a
# short fuzz and stress, and a dmesg scan.
# Each verdict becomes a PASS or FAIL line; a subtest that did not run, or a
# VM that did not boot, is a FAIL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly SELFTESTS="$BASE_REPO/tools/testing/selftests/bpf"
RUNNER_OUT="$(tool_out runner)"
DEMO_OUT="$(tool_out demo)"
REL_OUT="$(tool_out reliability)"
BENCH_OUT="$(tool_out bench)"
PYSTACK_OUT="$(tool_out pystack)"
readonly RUNNER_OUT DEMO_OUT REL_OUT BENCH_OUT PYSTACK_OUT
readonly CONSOLE="$WORK_DIR/vmtest-console.log"
# CI's short reliability run; make vmtest-debug runs longer ones.
readonly FUZZ_CALLS=100000
readonly STRESS_SECONDS=10
source "$REPO_ROOT/tests/vm-checks.sh"

build() {
	"$REPO_ROOT/tooling/build-kernel.sh" &&
		"$REPO_ROOT/tooling/build-selftests.sh" &&
		log "building the thin runner, the demo, the reliability tools, the benchmark and pystack" &&
		build_tools "$WORK_DIR/runner-build.log" runner demo reliability bench pystack
}

main() {
	local rc=0
	if ! build; then
		fail "vm: build the kernel, test_progs and the thin runner" "build failed (above)"
		return 0
	fi
	check_image_guard
	log "booting the patched kernel and running the tests (TCG: a few minutes)"
	"$REPO_ROOT/vm/run.sh" --cwd "$SELFTESTS" --timeout 1800 --log "$CONSOLE" -- \
		"$REPO_ROOT/vm/guest-tests.sh" "$RUNNER_OUT/cfur-runner" "$DEMO_OUT" \
		"$REL_OUT" "$FUZZ_CALLS" "$STRESS_SECONDS" "$BENCH_OUT/cfur-bench" \
		"$PYSTACK_OUT/pystack" || rc=$?
	if [[ $rc -eq 125 ]]; then
		fail "vm: the VM booted and ran the tests" "it did not (above)"
		return 0
	fi
	pass "vm: the VM booted and ran the tests (accelerator: $(cat "$WORK_DIR/vm-last-accel"))"
	check_runner vm test_progs
	check_runner vm cfur-runner
	check_demo
	check_reliability vm "$FUZZ_CALLS"
	check_leak vm
	check_bench_smoke
	check_pystack vm
	check_scan vm
}

# vm/run.sh refuses a VM that runs another kernel than its image names: a
# copy of the image whose header says "X.12..." for "6.12..." (what a stale
# piggy.o looks like from outside) must fail to boot with the reason.
check_image_guard() {
	local copy="$WORK_DIR/vm-guard-bzImage" name="vm: a VM that runs another kernel than its image names is refused" at out ran
	cp "$BASE_REPO/arch/x86/boot/bzImage" "$copy"
	at="$(bzimage_version_at "$copy")"
	if [[ -z "$at" ]]; then
		rm -f "$copy"
		fail "$name" "$BASE_REPO/arch/x86/boot/bzImage has no setup header with a version"
		return 0
	fi
	printf X | dd of="$copy" bs=1 seek="$at" conv=notrunc status=none
	out="$("$REPO_ROOT/vm/run.sh" --kernel "$copy" --log "$WORK_DIR/vm-guard-console.log" -- true 2>&1)" && ran=1 || ran=0
	rm -f "$copy"
	if [[ $ran == 1 ]]; then
		fail "$name" "the VM ran its command"
	elif grep -q "the guest runs Linux .*, but .* says it holds X\." <<<"$out"; then
		pass "$name"
	else
		fail "$name" "$(tail -n 1 <<<"$out")"
	fi
}

# The demo's secret, read through the helper, equals process_vm_readv's; its
# error cases are explained.
check_demo() {
	local demo
	demo="$(block demo)"
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

# cfur-bench ran every path to the end in the patched kernel (no timing is
# checked: the benchmark is not a test).
check_bench_smoke() {
	local out path missing=()
	out="$(block bench-smoke)"
	for path in helper task-each task-once pvm_readv proc-mem; do
		grep -Eq "^chase +$path " <<<"$out" || missing+=("$path")
	done
	if grep -q '^CFUR-END bench-smoke rc=0' <<<"$out" && [[ ${#missing[@]} -eq 0 ]]; then
		pass "vm bench smoke: cfur-bench runs all five paths in the patched kernel"
	else
		grep -E 'error|SKIPPED' <<<"$out" | head -n 5 >&2 || true
		fail "vm bench smoke: cfur-bench runs all five paths in the patched kernel" \
			"missing: ${missing[*]:-none} (see $CONSOLE)"
	fi
}

main "$@"
