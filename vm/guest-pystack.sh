#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM (or on a host with the patched kernel): pystack against the
# test Python program, its three walkers (bpf, task, pvm) taking turns on
# the same target in one run.
#  1. correctness: two threads in known stacks (the main thread 50 frames
#     deep, a worker spinning in a 6-frame chain); every sample is compared
#     with the stacks the program recorded itself;
#  2. system calls per sample, counted by strace(1) apart from pystack's own
#     count: all calls of a 2N-sample run minus those of an N-sample run,
#     over N;
#  3. cost: the 50-frame main thread alone, CPU time and syscalls per sample.
# Usage: guest-pystack.sh PYSTACK TARGET_PY OUT_DIR SAMPLES
pystack="$1"
target_py="$2"
out="$3"
samples="$4"
python=/usr/bin/python3.11
rc=0
pid=

stop_target() {
	[[ -z "$pid" ]] || kill "$pid" 2>/dev/null
	[[ -z "$pid" ]] || wait "$pid" 2>/dev/null
	pid=
}
trap stop_target EXIT

# start_target NAME ARG...: starts the program, waits for "ready <pid>".
start_target() {
	local name="$1" i
	shift
	rm -f "$out/$name.expected" "$out/$name.target.log"
	"$python" "$target_py" "$out/$name.expected" "$@" >"$out/$name.target.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 600; i++)); do
		grep -q '^ready ' "$out/$name.target.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "error: the test program did not start:"
	cat "$out/$name.target.log"
	return 1
}

# strace_calls ARG...: total system calls of a pystack run, per strace -c.
strace_calls() {
	strace -f -c -o "$out/strace.txt" "$pystack" --pid "$pid" --rate 1000 "$@" >/dev/null 2>&1
	# "100.00 seconds usecs/call calls [errors] total"
	awk '$NF == "total" { print $4 }' "$out/strace.txt"
}

syscalls_per_sample() {
	local walker="$1" n=20 a b
	a="$(strace_calls --walker "$walker" --samples "$n")"
	b="$(strace_calls --walker "$walker" --samples $((2 * n)))"
	if [[ -z "$a" || -z "$b" ]]; then
		echo "strace $walker: no count"
		return 1
	fi
	awk -v w="$walker" -v a="$a" -v b="$b" -v n="$n" \
		'BEGIN { printf "strace %s: %.1f syscalls per sample (%d calls at %d samples, %d at %d)\n", w, (b - a) / n, a, n, b, 2 * n }'
}

mkdir -p "$out"
echo "CFUR-BEGIN pystack"
echo "kernel $(uname -r); $($python -c 'import sys; print("python", sys.version.split()[0])')"
if start_target two 50 --busy; then
	echo "== correctness: two threads, every walker, $samples samples each"
	"$pystack" --pid "$pid" --walker all --rate 100 --samples "$samples" \
		--expect "$out/two.expected" --out "$out/two" || rc=1
	echo "== the collapsed stacks (bpf)"
	cat "$out/two/bpf.collapsed"
	echo "== syscalls per sample, by strace"
	syscalls_per_sample bpf || rc=1
	syscalls_per_sample task || rc=1
	syscalls_per_sample pvm || rc=1
else
	rc=1
fi
stop_target
if start_target alone 50 --alone; then
	echo "== cost: one thread, 50 frames, every walker, $samples samples each"
	"$pystack" --pid "$pid" --walker all --rate 100 --samples "$samples" \
		--expect "$out/alone.expected" --out "$out/alone" || rc=1
else
	rc=1
fi
stop_target
echo "CFUR-END pystack rc=$rc"
exit "$rc"
