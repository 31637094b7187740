#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pystack's start and end. Per walker of WALKERS, three times from a fresh
# start: the parked two-thread target sampled 20 times, and what
# summary.csv says of it: the time from pystack's start to the walker's
# first sample, the walker's own start-up (a BPF walker's load and
# verification) and the instructions the verifier went through. Then
# --duration 1 at a rate no walker keeps (pvm, 20 kHz of the 50-frame
# stack): sampling must end a second after it began. Runs in the VM (bpf,
# austin) and on the host (task, austin). Writes the table pystack-start
# (vm/guest-lib.sh), a CSV row per run for tests/pystack-checks.sh:
#   check,walker,status,first_sample_ms,last_sample_ms,startup_ms,verified_insns,samples
# Usage: guest-pystack-start.sh PYSTACK TARGET_DIR OUT_DIR WALKERS
set -uo pipefail
pystack="$1"
targets="$2"
out="$3"
walkers="${4:?usage: guest-pystack-start.sh PYSTACK TARGET_DIR OUT_DIR WALKERS}"
readonly RUNS=3
pids=()
rows=()

# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"
trap stop_targets EXIT

# row CHECK WALKER STATUS DIR: the walker's row of DIR/summary.csv
row() {
	local check="$1" walker="$2" status="$3" dir="$4" fields
	fields="$(csv_where "$dir/summary.csv" walker "$walker" first_sample_ms last_sample_ms startup_ms \
		verified_insns samples 2>/dev/null)"
	rows+=("$check,$walker,$status,${fields:-,,,,0}")
}

# run CHECK WALKER NAME ARG...: pystack on the target, its summary in a
# fresh OUT/NAME, and its row
run() {
	local check="$1" walker="$2" name="$3" status=0
	shift 3
	rm -rf "${out:?}/$name"
	"$pystack" --pid "$pid" --walker "$walker" --out "$out/$name" "$@" >"$out/$name.log" 2>&1 ||
		status=$?
	row "$check" "$walker" "$status" "$out/$name"
}

main() {
	local walker i
	mkdir -p "$out"
	rm -f "$out/target.log"
	/usr/bin/python3.11 "$targets/target.py" "$out/expected" 50 --busy >"$out/target.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	if ! wait_for "$out/target.log" '^ready ' "$pid"; then
		rows+=("start,none,1,,,,,0")
		return
	fi
	for walker in ${walkers//,/ }; do
		for ((i = 1; i <= RUNS; i++)); do
			echo "== start: $walker, run $i (at ${SECONDS}s)"
			run start "$walker" "start-$walker-$i" --samples 20 --expect "$out/expected"
		done
	done
	echo "== duration: pvm, 20 kHz for 1 s (at ${SECONDS}s)"
	run duration pvm duration --rate 20000 --duration 1
}

main
table pystack-start "check,walker,status,first_sample_ms,last_sample_ms,startup_ms,verified_insns,samples" "${rows[@]}"
