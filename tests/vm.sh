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

# The kfunc's module, loaded beside the helper (kmod/).
KMOD_PATCHED="$WORK_DIR/kmod-${BASE_REPO##*/}"
readonly KMOD_PATCHED
readonly CONSOLE="$WORK_DIR/vmtest-console.log"
readonly RESULTS="$WORK_DIR/vmtest-results"
# CI's short reliability run; make vmtest-debug runs longer ones.
readonly FUZZ_CALLS=100000
readonly STRESS_SECONDS=10
source "$REPO_ROOT/tests/vm-checks.sh"

build() {
	"$REPO_ROOT/tooling/build-kernel.sh" &&
		"$REPO_ROOT/tooling/build-selftests.sh" &&
		log "building the thin runner, the demo, the reliability tools, the benchmark and pystack" &&
		build_tools "$WORK_DIR/runner-build.log" runner demo reliability bench pystack &&
		log "building the kfunc's module and cfur-kmod-runner for the patched kernel" &&
		"$REPO_ROOT/tooling/kmod-build.sh" --tree "$BASE_REPO" "$KMOD_PATCHED"
}

main() {
	local rc=0
	if ! build; then
		fail "vm: build the kernel, test_progs and the thin runner" "build failed (above)"
		return 0
	fi
	check_image_guard
	log "booting the patched kernel and running the tests (TCG: a few minutes)"
	run_guest_tests "$BASE_REPO/arch/x86/boot/bzImage" 1800 --fuzz-calls "$FUZZ_CALLS" \
		--stress-seconds "$STRESS_SECONDS" --demo "$(tool_out demo)" --bench "$(tool_out bench)/cfur-bench" \
		--pystack "$(tool_out pystack)/pystack" --kmod-ko "$KMOD_PATCHED/mod/copy_from_user_pid.ko" \
		--kmod-runner "$KMOD_PATCHED/tests/cfur-kmod-runner" || rc=$?
	if [[ $rc -eq 125 ]]; then
		fail "vm: the VM booted and ran the tests" "it did not (above)"
		return 0
	fi
	pass "vm: the VM booted and ran the tests (accelerator: $(cat "$WORK_DIR/vm-last-accel"))"
	check_runner vm test_progs
	check_runner vm cfur-runner
	check_demo vm helper
	check_reliability vm "$FUZZ_CALLS"
	check_leak vm
	check_bench_smoke vm helper task-each task-once pvm_readv proc-mem
	check_pystack vm
	check_pystack_versions vm
	# under TCG (2026-12-06): bpf 1.1 to 2.2 s, austin 0.65 to 1.7 s; the
	# walk as static callbacks took 12.6 to 20.2 s
	check_pystack_start vm "$CONSOLE" 1500
	check_pystack_ns vm
	check_kmod_beside_helper vm
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



main "$@"
