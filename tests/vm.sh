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
	check_bench_smoke
	check_pystack
	check_scan vm
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

# pystack in the patched kernel: each walker's samples match the stacks the
# test program recorded (at least 99%, no failed read), for two threads and
# for the 50-frame thread alone; the walkers make the same reads; strace
# sees a handful of calls per BPF sample against a process_vm_readv per read.
check_pystack() {
	local out run walker line pct errors reads
	out="$(block pystack)"
	for run in two alone; do
		for walker in bpf task pvm; do
			line="$(pystack_row "$out" "$run" "$walker")"
			read -r errors pct reads <<<"${line:-x 0 x}"
			if [[ "$errors" == 0 ]] && awk -v p="$pct" 'BEGIN { exit !(p >= 99) }'; then
				pass "vm pystack [$walker] $run: ${pct}% of samples match the expected stacks exactly"
			else
				fail "vm pystack [$walker] $run: 99% of samples match the expected stacks" \
					"${line:+$pct% matched, $errors samples with errors}${line:-no summary} (see $CONSOLE)"
			fi
		done
		reads="$(for walker in bpf task pvm; do pystack_row "$out" "$run" "$walker"; done |
			awk '{ print $3 }' | sort -u)"
		if [[ -n "$reads" && $(wc -l <<<"$reads") -eq 1 ]]; then
			pass "vm pystack $run: the three walkers make the same reads ($reads per sample)"
		else
			fail "vm pystack $run: the three walkers make the same reads" "reads per sample: $(tr '\n' ' ' <<<"$reads")"
		fi
	done
	check_strace_count "$out" bpf 'n <= 4' "at most 4 (BPF_PROG_RUN, pystack's two CPU-clock reads, at most one sleep)"
	check_strace_count "$out" pvm 'n >= 300' "at least one per read"
	if grep -q '^CFUR-END pystack rc=0$' <<<"$out"; then
		pass "vm pystack: the run ended well"
	else
		grep -E 'error' <<<"$out" | head -n 5 >&2 || true
		fail "vm pystack: the run ended well" "see $CONSOLE"
	fi
}

# pystack_row BLOCK RUN WALKER: "errors match% reads/sample" of one summary row.
pystack_row() {
	awk -v run="$2" -v w="$3" '
		/^== correctness/ { r = "two" } /^== cost/ { r = "alone" }
		r == run && $1 == w && $2 ~ /^[0-9]+$/ {
			pct = $5; gsub(/[()%]/, "", pct); print $3, pct, $NF; exit
		}' <<<"$1"
}

check_strace_count() {
	local out="$1" walker="$2" cond="$3" what="$4" n
	n="$(sed -nE "s/^strace $walker: ([0-9.]+) syscalls per sample.*/\1/p" <<<"$out")"
	if [[ -n "$n" ]] && awk -v n="$n" "BEGIN { exit !($cond) }"; then
		pass "vm pystack [$walker]: strace counts $n syscalls per sample, $what"
	else
		fail "vm pystack [$walker]: strace counts $what per sample" "counted: ${n:-nothing} (see $CONSOLE)"
	fi
}

main "$@"
