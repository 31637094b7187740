#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM (or on a host with the patched kernel): pystack against its
# test programs, its walkers (bpf, task, austin, pvm) taking turns on the
# same targets in one run.
#  1. correctness: two threads parked in known stacks (the main thread 50
#     frames deep, a worker spinning in a 7-frame chain through an __init__
#     called from a specialized site); every sample is compared with the stacks, line numbers and thread names the program
#     recorded itself; again with --idle, where the sleeping thread's stack
#     ends in [idle], and with --mode cpu, where it is left out;
#  2. system calls per sample, counted by strace(1) apart from pystack's
#     own count: each call of a 2N-sample run less an N-sample run, over N,
#     the sleep (skipped when a tick is late) from the longer run alone;
#  3. the moving target (moving.py): every stack pystack keeps with
#     --consistent must be possible by the program's rule; the baselines'
#     impossible stacks are counted beside;
#  4. many processes in one BPF_PROG_RUN: a parent and its children
#     (--children), one of which exits mid-run;
#  5. cost: the 50-frame main thread alone, every walker, in an interpreter
#     without debug information (a copy of python3.11 with its build-id and
#     debug link stripped), which pystack walks with its built-in layout
#     table.
# With MODE=figures (make pystack-demo) it then measures the issue's
# figures: the 50-frame target and the two-thread target at 1 kHz and
# 10 kHz, walkers taking turns in slices, and writes the profiles; then the
# 50-frame target on CPython 3.11, 3.12 and 3.13, and the three at once.
# Its outputs, in OUT_DIR, are what tests/pystack-checks.sh reads: each
# run's directory (its summary.csv and profiles), the test programs' logs
# (NAME.log), family.err and alone.pystack.log (pystack's messages),
# strace.csv (the system calls per sample), moving/check.txt, and the
# run's exit status in the result file pystack.rc (vm/guest-lib.sh).
# Usage: guest-pystack.sh PYSTACK TARGET_DIR OUT_DIR SAMPLES [test|figures]
# (TARGET_DIR: pystack/target, or a file in it)
pystack="$1"
targets="$2"
# an older caller names target.py itself
[[ -d "$targets" ]] || targets="$(dirname "$targets")"
out="${3:?usage: guest-pystack.sh PYSTACK TARGET_DIR OUT_DIR SAMPLES [test|figures]}"
samples="$4"
mode="${5:-test}"
python=/usr/bin/python3.11
# On a kernel without the helper (tests/pystack.sh on the host), the BPF
# walker through bpf_copy_from_user_task stands in for it.
fast="${PYSTACK_WALKER:-bpf}"
every="${PYSTACK_WALKERS:-all}"
rc=0
pids=()

# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"
trap stop_targets EXIT

# start NAME INTERPRETER SCRIPT ARG...: starts a test program, waits for its
# "ready <pid>"; sets pid.
start() {
	local name="$1" interpreter="$2" script="$3"
	shift 3
	rm -f "$out/$name.expected" "$out/$name.log"
	"$interpreter" "$targets/$script" "$@" >"$out/$name.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_for "$out/$name.log" '^ready ' "$pid" && return 0
	echo "error: the test program $script did not start (above)" >&2
	return 1
}

# parked NAME INTERPRETER ARG...: target.py writing NAME.expected
parked() {
	local name="$1" interpreter="$2"
	shift 2
	start "$name" "$interpreter" target.py "$out/$name.expected" "$@"
}

# strace_calls FILE FILTER ARG...: strace -c's table of a pystack run, in
# FILE: all system calls but the heap's growth (FILTER all: brk and mmap
# come when pystack's own data grows, not per sample), or those FILTER names
# only (seccomp-bpf leaves the others untraced, which keeps a long run short).
strace_calls() {
	local file="$1" filter="$2"
	shift 2
	local trace=(-e 'trace=!brk,mmap,munmap,mremap')
	[[ "$filter" == all ]] || trace=(--seccomp-bpf -e "trace=$filter")
	strace -f -c "${trace[@]}" -o "$file" "$pystack" --pid "$pid" --rate 1000 "$@" >/dev/null 2>&1
}

# syscalls_per_sample WALKER N FILTER: the calls (FILTER: see strace_calls)
# of a 2N-sample run minus those of an N-sample run, over N, each call by
# itself. The sleep is the exception: pystack skips it when a tick is late,
# so the shorter run may skip more of them than the longer one, and the
# difference then counts more sleeps than samples (CI once saw 18 sleeps in
# 20 samples, 40 in 40: 4.1 calls per sample). Sleeps count from the longer
# run alone, at most one per sample. A row of OUT/strace.csv
# (walker,per_sample) and a line on the console.
syscalls_per_sample() {
	local walker="$1" n="$2" filter="$3" what="$3 calls"
	local a="$out/strace.$walker.$n" b="$out/strace.$walker.$((2 * n))"
	[[ "$filter" != all ]] || what="syscalls (but brk, mmap)"
	local start=$SECONDS
	strace_calls "$a" "$filter" --walker "$walker" --samples "$n"
	strace_calls "$b" "$filter" --walker "$walker" --samples $((2 * n))
	echo "strace $walker: two runs in $((SECONDS - start)) s"
	# "% time seconds usecs/call calls [errors] syscall"
	awk -v w="$walker" -v n="$n" -v what="$what" '
		$4 ~ /^[0-9]+$/ && $NF !~ /^(total|syscall)$/ {
			if (FNR == NR) { a[$NF] = $4 } else { b[$NF] = $4 }
			seen[$NF] = 1
		}
		$NF == "total" { if (FNR == NR) { ta = $4 } else { tb = $4 } }
		END {
			if (ta == "" || tb == "") { printf "strace %s: no count\n", w; exit 1 }
			for (c in seen) {
				d = c == "clock_nanosleep" ? b[c] / (2 * n) : (b[c] - a[c]) / n
				sum += d
				if (d != 0) { by = by sprintf("%s%s %.2f", by == "" ? "; " : ", ", c, d) }
			}
			printf "strace %s: %.1f %s per sample (%d calls at %d samples, %d at %d%s)\n",
				w, sum, what, ta, n, tb, 2 * n, by
			printf "%s,%.1f\n", w, sum >>csv
		}' csv="$out/strace.csv" "$a" "$b"
}

correctness() {
	parked two "$python" 50 --busy || return 1
	echo "== correctness: two threads, every walker, $samples samples each (at ${SECONDS}s)"
	"$pystack" --pid "$pid" --walker "$every" --rate 100 --samples "$samples" \
		--expect "$out/two.expected" --out "$out/two" || rc=1
	echo "== some collapsed stacks ($fast)"
	cut -c1-400 "$out/two/$fast.collapsed"
	echo "== idle marker: --idle, $fast and pvm (at ${SECONDS}s)"
	"$pystack" --pid "$pid" --walker "$fast",pvm --idle --rate 100 --samples 50 \
		--expect "$out/two.expected.idle" --out "$out/idle" || rc=1
	echo "== cpu mode: --mode cpu, $fast and pvm (at ${SECONDS}s)"
	"$pystack" --pid "$pid" --walker "$fast",pvm --mode cpu --rate 100 --samples 50 \
		--expect "$out/two.expected.cpu" --out "$out/cpu" || rc=1
	echo "== syscalls per sample, by strace (at ${SECONDS}s)"
	syscalls_per_sample "$fast" 20 all || rc=1
	syscalls_per_sample pvm 2 process_vm_readv || rc=1
	stop_targets
}

moving() {
	start moving "$python" moving.py || return 1
	echo "== moving target: $fast --consistent against the baselines (at ${SECONDS}s)"
	"$pystack" --pid "$pid" --walker "$fast",austin,pvm --consistent --rate 200 \
		--samples "$samples" --out "$out/moving" || rc=1
	"$python" "$targets/moving.py" --check "$out"/moving/{"$fast",austin,pvm}.collapsed |
		tee "$out/moving/check.txt"
	stop_targets
}

# A parent with two children; one child is killed once pystack samples it.
processes() {
	echo "== many processes: --children, one exits mid-run (at ${SECONDS}s)"
	start family "$python" family.py 2 || return 1
	local victim sampler
	victim="$(sed -n 's/^child \([0-9]*\)$/\1/p' "$out/family.log" | head -n 1)"
	# 800 samples, not --duration 8: a deadline keeps fewer on a slow
	# machine (664 under the debug kernel), and every one must be taken
	"$pystack" --pid "$pid" --children --walker "$fast" --rate 100 --samples 800 \
		--out "$out/family" 2>"$out/family.err" &
	sampler=$!
	wait_for "$out/family.err" "^pystack: sampling 3 processes" "$sampler" || rc=1
	sleep 2
	kill "$victim"
	wait "$sampler" || rc=1
	cat "$out/family.err"
	echo "family: pids in the profile: $(grep -o '^P[0-9]*' "$out/family/$fast.collapsed" | sort -u | tr '\n' ' ')"
	echo "family: exited child $victim"
	stop_targets
}

# The 50-frame thread alone, every walker, in an interpreter without debug
# information (a copy of python3.11 with its build-id and debug link
# stripped): pystack walks it with its built-in layout table.
cost() {
	objcopy --remove-section .note.gnu.build-id --remove-section .gnu_debuglink \
		"$python" "$out/python3.11" || return 1
	parked alone "$out/python3.11" 50 --alone || return 1
	echo "== cost: one thread, 50 frames, every walker, $samples samples each, no debug file (at ${SECONDS}s)"
	"$pystack" --pid "$pid" --walker "$every" --rate 100 --samples "$samples" \
		--expect "$out/alone.expected" --out "$out/alone" >"$out/alone.pystack.log" 2>&1 || rc=1
	cat "$out/alone.pystack.log"
	stop_targets
}

# figures RATE: the issue's figures, walkers in turn in 300 ms slices;
# at least half a second of samples per walker, so that an achieved rate
# is not one slice's start.
figures() {
	local rate="$1" n="$samples"
	((n >= rate / 2)) || n=$((rate / 2))
	parked fig "$python" 50 --alone || return 1
	echo "== figures: 50 frames, one thread, ${rate} Hz requested, $n samples per walker"
	"$pystack" --pid "$pid" --walker "$every" --rate "$rate" --samples "$n" --slice 300 \
		--out "$out/figures-50-$rate" || rc=1
	stop_targets
	parked fig "$python" 50 --busy || return 1
	echo "== figures: two threads (one busy), ${rate} Hz requested, $n samples per walker"
	"$pystack" --pid "$pid" --walker "$every" --rate "$rate" --samples "$n" --slice 300 \
		--out "$out/figures-two-$rate" || rc=1
	stop_targets
}

# busy RATE: a thread recursing to depth 20 and back all the time
# (moving.py --depth 20), every walker in turn with --consistent: the
# share of its samples each keeps, and moving.py's verdict on them.
busy() {
	local rate="$1" n="$samples"
	((n >= rate / 2)) || n=$((rate / 2))
	start busy "$python" moving.py --depth 20 || return 1
	echo "== figures: busy recursion, ${rate} Hz requested, $n samples per walker, --consistent"
	"$pystack" --pid "$pid" --walker "$every" --rate "$rate" --samples "$n" --slice 300 \
		--consistent --out "$out/figures-busy-$rate" || rc=1
	stop_targets
	"$python" "$targets/moving.py" --check "$out/figures-busy-$rate"/*.collapsed |
		tee "$out/figures-busy-$rate/check.txt"
}

# versions RATE: the 50-frame target on Debian's 3.11, pyenv's 3.12.1 and
# 3.13.0, each alone with every walker (in turn, 300 ms slices), then the
# three in one run.
versions() {
	local rate="$1" n="$samples" v python all=()
	((n >= rate / 2)) || n=$((rate / 2))
	for v in 3.11 3.12.1 3.13.0; do
		python=/usr/bin/python3.11
		[[ "$v" == 3.11 ]] || python="/root/.pyenv/versions/$v/bin/python${v%.*}"
		if [[ ! -x "$python" ]]; then
			echo "== versions: $python is not here"
			continue
		fi
		parked "fig-$v" "$python" 50 --alone || return 1
		all+=(--pid "$pid")
		echo "== versions: CPython $v, 50 frames, ${rate} Hz requested, $n samples per walker"
		"$pystack" --pid "$pid" --walker "$every" --rate "$rate" --samples "$n" --slice 300 \
			--out "$out/versions-$v" || rc=1
	done
	echo "== versions: the three in one run, ${rate} Hz requested"
	"$pystack" "${all[@]}" --walker "$every" --rate "$rate" --samples "$n" --slice 300 \
		--out "$out/versions-all" || rc=1
	stop_targets
}

mkdir -p "$out"
# An earlier run's outputs (the host suite keeps its directory) would be
# read as this run's: family.err says "sampling 3 processes" before this
# sampler has started, an old profile stands in for one never written.
rm -rf "$out"/{two,idle,cpu,moving,family,alone,figures-*,versions-*} "$out"/*.err "$out"/strace.* "$out"/alone.pystack.log
echo "walker,per_sample" >"$out/strace.csv"
echo "CFUR-BEGIN pystack"
echo "kernel $(uname -r); $($python -c 'import sys; print("python", sys.version.split()[0])')"
correctness || rc=1
moving || rc=1
processes || rc=1
cost || rc=1
if [[ "$mode" == figures ]]; then
	figures 1000 || rc=1
	figures 10000 || rc=1
	busy 1000 || rc=1
	versions 1000 || rc=1
fi
echo "CFUR-END pystack rc=$rc"
echo "$rc" >"$(result_file pystack.rc)"
exit "$rc"
