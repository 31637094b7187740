#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pystack on the host's running kernel: the process_vm_readv walker and the
# bpf_copy_from_user_task walker (which every kernel since 6.1 has) sample
# the test Python program and must match its stacks; bad input gets a clear
# error. The walker through the new helper is tested in the VM (tests/vm.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pystack-checks.sh"

PYSTACK="$(tool_out pystack)/pystack"
readonly PYSTACK
readonly TARGET_PY="$REPO_ROOT/pystack/target/target.py"
readonly OUT="$WORK_DIR/pystack-host"
TARGET_PID=
SLEEPER_PID=

cleanup() {
	[[ -z "$TARGET_PID" ]] || kill "$TARGET_PID" 2>/dev/null || true
	[[ -z "$SLEEPER_PID" ]] || kill "$SLEEPER_PID" 2>/dev/null || true
}
trap cleanup EXIT

build() {
	need_python_dbg
	"$REPO_ROOT/tooling/build-kernel.sh" &&
		build_tools "$WORK_DIR/pystack-build.log" pystack
}

# Starts the test program (two threads, the worker spinning); waits for it.
start_target() {
	local i
	rm -f "$OUT/expected" "$OUT/target.log"
	/usr/bin/python3.11 "$TARGET_PY" "$OUT/expected" 50 --busy >"$OUT/target.log" 2>&1 &
	TARGET_PID=$!
	for ((i = 0; i < 300; i++)); do
		grep -q '^ready ' "$OUT/target.log" && return 0
		sleep 0.1
	done
	cat "$OUT/target.log" >&2
	return 1
}

check_walkers() {
	local walker summary
	"$PYSTACK" --pid "$TARGET_PID" --walker task,pvm --rate 200 --samples 200 \
		--expect "$OUT/expected" --out "$OUT/run" >"$OUT/summary.log" 2>&1 || true
	summary="$(cat "$OUT/summary.log")"
	for walker in task pvm; do
		check_pystack_match "pystack host [$walker]" "$summary" "$walker" "$OUT/summary.log"
	done
}

check_errors() {
	sleep 60 &
	SLEEPER_PID=$!
	expect_error "pystack: a pid that does not exist" 'no process with pid 999999' \
		"$PYSTACK" --pid 999999 --walker pvm
	expect_error "pystack: a process that is not Python" "pid $SLEEPER_PID is not a CPython process" \
		"$PYSTACK" --pid "$SLEEPER_PID" --walker pvm
	expect_error "pystack: no debug information says what to install" \
		'no debug information for /usr/bin/python3.11 .*apt-get install python3.11-dbg' \
		"$PYSTACK" --pid "$TARGET_PID" --walker pvm --debug-root /nonexistent
	expect_error "pystack: the bpf walker on a kernel without the helper" \
		'no bpf_copy_from_user_remote.*boot the patched kernel' \
		"$PYSTACK" --pid "$TARGET_PID" --walker bpf --samples 1
	expect_error "pystack: a user who may not read the target" 'Permission denied .*must run as root' \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$PYSTACK" --pid "$TARGET_PID" --walker pvm
	expect_error "pystack: an unknown walker" "--walker takes bpf, task, pvm.*not 'gdb'" \
		"$PYSTACK" --pid "$TARGET_PID" --walker gdb
	expect_error "pystack: an unreadable expected-stacks file" 'cannot read /nonexistent/expected' \
		"$PYSTACK" --pid "$TARGET_PID" --walker pvm --expect /nonexistent/expected
	expect_error "pystack-demo: a bad sample count" 'a whole number' \
		"$REPO_ROOT/tooling/pystack-demo.sh" 12x
}

main() {
	mkdir -p "$OUT"
	if ! build; then
		fail "pystack: builds" "build failed (above)"
		return 0
	fi
	pass "pystack: builds"
	if ! start_target; then
		fail "pystack host: the test Python program starts" "see $OUT/target.log"
		return 0
	fi
	if grep -q 'bpf_copy_from_user_remote' /proc/kallsyms 2>/dev/null; then
		fail "pystack host: runs on a kernel without the helper" \
			"the running kernel has bpf_copy_from_user_remote; the bpf-walker error check would not hold"
	fi
	check_walkers
	check_errors
}

main "$@"
