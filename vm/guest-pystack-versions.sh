#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pystack on every CPython this machine has beside Debian's 3.11 (pyenv's
# 3.11.7, 3.12.1 and 3.13.0), each as installed (DWARF in its libpython)
# and as a stripped copy (no DWARF, build-id or debug link: the 3.11 and
# 3.12 tables, 3.13's _Py_DebugOffsets), then a 3.11 and a 3.13 target in
# one run. Per interpreter: the parked two-thread target, every sample
# compared with the stacks, line numbers and thread names it recorded
# (WALKERS; then the first with --idle and with --mode cpu), and the
# moving target with --consistent, every stack it keeps
# judged by moving.py's rule (the first walker). Runs in the VM (bpf) and
# on the host (task, austin, pvm). Writes the table pystack-versions
# (vm/guest-lib.sh), a CSV row per check for tests/pystack-checks.sh:
#   interpreter,layout,check,walker,samples,errors,matched_pct,impossible
# Usage: guest-pystack-versions.sh PYSTACK TARGET_DIR OUT_DIR WALKERS SAMPLES
set -uo pipefail
pystack="$1"
targets="$2"
out="$3"
walkers="$4"
samples="${5:?usage: guest-pystack-versions.sh PYSTACK TARGET_DIR OUT_DIR WALKERS SAMPLES}"
readonly PYENV=/root/.pyenv/versions
pids=()
rows=()

# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"
trap stop_targets EXIT

# start NAME ENV_LIB PYTHON SCRIPT ARG...: a test program, its libpython
# from ENV_LIB if not empty; waits for "ready <pid>"; sets pid.
start() {
	local name="$1" lib="$2" python="$3" script="$4"
	shift 4
	rm -f "$out/$name.log"
	LD_LIBRARY_PATH="$lib" "$python" "$targets/$script" "$@" >"$out/$name.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_for "$out/$name.log" '^ready ' "$pid"
}

# summary_rows NAME LAYOUT DIR STATUS [CHECK]: a CHECK (parked) row per
# walker of DIR/summary.csv; STATUS, pystack's exit, in its errors column
# if not 0
summary_rows() {
	local name="$1" layout="$2" dir="$3" status="$4" check="${5:-parked}"
	[[ -f "$dir/summary.csv" ]] || { rows+=("$name,$layout,$check,none,0,1,0,"); return; }
	# a here-string, not <(...): the guest has no /dev/fd
	while IFS=, read -r walker n errors pct; do
		[[ "$status" == 0 ]] || errors="exit $status"
		rows+=("$name,$layout,$check,$walker,$n,$errors,$pct,")
	done <<<"$(csv_cols "$dir/summary.csv" walker samples errors matched_pct)"
}

# sample NAME ARG...: pystack on the target pid, its profiles and summary
# in (a fresh) OUT/NAME; sets status
sample() {
	local name="$1"
	shift
	rm -rf "${out:?}/$name"
	status=0
	"$pystack" --pid "$pid" --rate 100 --samples "$samples" --out "$out/$name" "$@" \
		>"$out/$name.log" 2>&1 || status=$?
}

# parked NAME LAYOUT LIB PYTHON: the two-thread target, every walker
parked() {
	local name="$1" layout="$2" lib="$3" python="$4" status
	if ! start "$name" "$lib" "$python" target.py "$out/$name.expected" 50 --busy; then
		rows+=("$name,$layout,parked,none,0,1,0,")	# did not start: a failure
		return 0
	fi
	echo "== versions: $name ($layout), parked, $walkers (at ${SECONDS}s)"
	sample "$name" --walker "$walkers" --expect "$out/$name.expected"
	head -n 2 "$out/$name.log"
	summary_rows "$name" "$layout" "$out/$name" "$status"
	# the sleeping thread's stack ends in [idle]; --mode cpu leaves it out
	sample "$name-idle" --walker "${walkers%%,*}" --idle --expect "$out/$name.expected.idle"
	summary_rows "$name" "$layout" "$out/$name-idle" "$status" parked-idle
	sample "$name-cpu" --walker "${walkers%%,*}" --mode cpu --expect "$out/$name.expected.cpu"
	summary_rows "$name" "$layout" "$out/$name-cpu" "$status" parked-cpu
	stop_targets
}

# moving NAME LAYOUT LIB PYTHON: the moving target, --consistent
moving() {
	local name="$1" layout="$2" lib="$3" python="$4" fast="${walkers%%,*}" line status=0
	if ! start "$name-moving" "$lib" "$python" moving.py; then
		rows+=("$name,$layout,moving,$fast,0,1,,")
		return 0
	fi
	echo "== versions: $name ($layout), moving, $fast --consistent (at ${SECONDS}s)"
	rm -rf "${out:?}/$name-moving"
	"$pystack" --pid "$pid" --walker "$fast" --consistent --rate 200 --samples "$samples" \
		--out "$out/$name-moving" >"$out/$name-moving.log" 2>&1 || status=$?
	stop_targets
	line="$("$python" "$targets/moving.py" --check "$out/$name-moving/$fast.collapsed" 2>&1 | head -n 1)"
	echo "$line"
	# "moving-check FILE: N samples, M impossible (P%)"
	if [[ "$line" =~ :\ ([0-9]+)\ samples,\ ([0-9]+)\ impossible ]]; then
		rows+=("$name,$layout,moving,$fast,${BASH_REMATCH[1]},$status,,${BASH_REMATCH[2]}")
	else
		rows+=("$name,$layout,moving,$fast,0,1,,")
	fi
}

# strip_lib LIB DIR: a copy of LIB in DIR without DWARF, build-id or link
strip_lib() {
	mkdir -p "$2" && objcopy --strip-debug --remove-section .note.gnu.build-id \
		--remove-section .gnu_debuglink "$1" "$2/$(basename "$1")"
}

one_version() {
	local version="$1" minor="${1%.*}" python lib
	python="$PYENV/$version/bin/python$minor"
	lib="$PYENV/$version/lib/libpython$minor.so.1.0"
	if [[ ! -x "$python" || ! -r "$lib" ]]; then
		echo "== versions: $version: not here ($python)"
		rows+=("$version,absent,parked,none,0,0,0,")
		return
	fi
	parked "$version" dwarf "" "$python"
	moving "$version" dwarf "" "$python"
	if ! strip_lib "$lib" "$out/stripped-$version"; then
		rows+=("$version-stripped,stripped,parked,none,0,1,0,")
		return
	fi
	parked "$version-stripped" stripped "$out/stripped-$version" "$python"
	moving "$version-stripped" stripped "$out/stripped-$version" "$python"
}

# A 3.11 and a 3.13 target in one run: each walked with its own layout.
mixed() {
	local a b status
	if ! start mixed-311 "" /usr/bin/python3.11 target.py "$out/mixed-311.expected" 20 --busy; then
		rows+=("3.11+3.13,mixed,parked,none,0,1,0,")
		return 0
	fi
	a="$pid"
	if ! start mixed-313 "" "$PYENV/3.13.0/bin/python3.13" target.py "$out/mixed-313.expected" 20 --busy; then
		rows+=("3.11+3.13,mixed,parked,none,0,1,0,")
		return 0
	fi
	b="$pid"
	cat "$out/mixed-311.expected" "$out/mixed-313.expected" >"$out/mixed.expected"
	echo "== versions: 3.11 and 3.13 in one run, $walkers (at ${SECONDS}s)"
	pid="$a"
	sample mixed --pid "$b" --walker "$walkers" --expect "$out/mixed.expected"
	head -n 3 "$out/mixed.log"
	summary_rows "3.11+3.13" mixed "$out/mixed" "$status"
	stop_targets
}

main() {
	local v
	mkdir -p "$out"
	for v in 3.11.7 3.12.1 3.13.0; do
		one_version "$v"
	done
	if [[ -x "$PYENV/3.13.0/bin/python3.13" ]]; then
		mixed
	else
		rows+=("3.11+3.13,absent,parked,none,0,0,0,")
	fi
	table pystack-versions "interpreter,layout,check,walker,samples,errors,matched_pct,impossible" "${rows[@]}"
}

main "$@"
