# SPDX-License-Identifier: GPL-2.0
# pystack's checks on its summary and on a VM console, shared by the vm,
# debug and pystack suites. Each check records PASS or FAIL lines
# (tests/lib.sh); the console checks need CONSOLE and block() from
# tests/vm-checks.sh.
# shellcheck shell=bash

# pystack_row SUMMARY WALKER: "errors match% reads/sample" of WALKER's row
# in a pystack summary table.
pystack_row() {
	awk -v w="$2" '$1 == w && $2 ~ /^[0-9]+$/ {
		pct = $5; gsub(/[()%]/, "", pct); print $3, pct, $NF; exit
	}' <<<"$1"
}

# check_pystack_match NAME SUMMARY WALKER LOG: WALKER's samples in the
# summary all read without error, and at least 99% matched the expected
# stacks exactly.
check_pystack_match() {
	local name="$1" line errors pct found="no summary"
	line="$(pystack_row "$2" "$3")"
	read -r errors pct _ <<<"${line:-x 0 x}"
	[[ -z "$line" ]] || found="$pct% matched, $errors samples with errors"
	if [[ "$errors" == 0 ]] && awk -v p="$pct" 'BEGIN { exit !(p >= 99) }'; then
		pass "$name: ${pct}% of samples match the expected stacks exactly"
	else
		fail "$name: 99% of samples match the expected stacks" "$found (see $4)"
	fi
}

# check_pystack PREFIX: pystack in the booted kernel. Each walker's samples
# match the stacks the test program recorded (at least 99%, no failed
# read), for two threads and for the 50-frame thread alone; the walkers
# make the same reads; strace sees a handful of calls per BPF sample
# against a process_vm_readv per read.
check_pystack() {
	local prefix="$1" out run walker section reads
	out="$(block pystack)"
	for run in two alone; do
		section="$(pystack_section "$out" "$run")"
		for walker in bpf task pvm; do
			check_pystack_match "$prefix pystack [$walker] $run" "$section" "$walker" "$CONSOLE"
		done
		reads="$(for walker in bpf task pvm; do pystack_row "$section" "$walker"; done |
			awk '{ print $3 }' | sort -u)"
		if [[ -n "$reads" && $(wc -l <<<"$reads") -eq 1 ]]; then
			pass "$prefix pystack $run: the three walkers make the same reads ($reads per sample)"
		else
			fail "$prefix pystack $run: the three walkers make the same reads" "reads per sample: $(tr '\n' ' ' <<<"$reads")"
		fi
	done
	check_strace_count "$prefix" "$out" bpf 'n <= 4' "at most 4 (BPF_PROG_RUN, pystack's two CPU-clock reads, at most one sleep)"
	check_strace_count "$prefix" "$out" pvm 'n >= 300' "at least one per read"
	if grep -q '^CFUR-END pystack rc=0$' <<<"$out"; then
		pass "$prefix pystack: the run ended well"
	else
		grep -E 'error' <<<"$out" | head -n 5 >&2 || true
		fail "$prefix pystack: the run ended well" "see $CONSOLE"
	fi
}

# pystack_section BLOCK RUN: the lines of guest-pystack.sh's run RUN (two:
# the correctness run, alone: the cost run).
pystack_section() {
	awk -v run="$2" '/^== correctness/ { r = "two" } /^== cost/ { r = "alone" } r == run' <<<"$1"
}

check_strace_count() {
	local prefix="$1" out="$2" walker="$3" cond="$4" what="$5" n
	n="$(sed -nE "s/^strace $walker: ([0-9.]+) syscalls per sample.*/\1/p" <<<"$out")"
	if [[ -n "$n" ]] && awk -v n="$n" "BEGIN { exit !($cond) }"; then
		pass "$prefix pystack [$walker]: strace counts $n syscalls per sample, $what"
	else
		fail "$prefix pystack [$walker]: strace counts $what per sample" "counted: ${n:-nothing} (see $CONSOLE)"
	fi
}
