# SPDX-License-Identifier: GPL-2.0
# pystack's checks on what its runs (vm/guest-pystack*.sh) wrote for
# machines, shared by the vm, debug, kmod and pystack suites: the result
# files in RESULTS (the VM's results share, or the pystack suite's
# directory; vm/guest-lib.sh), read by column name. Each check records
# PASS or FAIL lines (tests/lib.sh) and names CONSOLE, where a person
# reads the run.
# shellcheck shell=bash

# check_pystack_match NAME SUMMARY_CSV WALKER [SEE]: WALKER's samples in a
# pystack summary.csv all read without error, and at least 99% matched the
# expected stacks exactly. SEE (default CONSOLE) is where to look.
check_pystack_match() {
	local name="$1" csv="$2" walker="$3" see="${4:-$CONSOLE}" row errors="" pct found
	if ! row="$(csv_where "$csv" walker "$walker" errors matched_pct 2>&1)"; then
		found="$row"
	elif [[ -z "$row" ]]; then
		found="no $walker row"
	else
		IFS=, read -r errors pct <<<"$row"
		found="$pct% matched, $errors samples with errors"
	fi
	if [[ "$errors" == 0 ]] && awk -v p="$pct" 'BEGIN { exit !(p >= 99) }'; then
		pass "$name: ${pct}% of samples match the expected stacks exactly"
	else
		fail "$name: 99% of samples match the expected stacks" "$found (${csv#"$RESULTS"/}; see $see)"
	fi
}

# expect_line NAME FILE PATTERN WHAT: passes if a line of FILE matches the
# extended regex PATTERN.
expect_line() {
	local name="$1" file="$2" pattern="$3" what="$4" hit
	if hit="$(grep -E -m1 -- "$pattern" "$file" 2>/dev/null)"; then
		pass "$name: $what (${hit:0:120})"
	else
		fail "$name: $what" "no line of $file matches /$pattern/ (see $CONSOLE)"
	fi
}

# check_strace_count PREFIX DIR WALKER CONDITION WHAT: strace's count of
# WALKER's system calls per sample (DIR/strace.csv) meets the awk
# CONDITION on n.
check_strace_count() {
	local prefix="$1" dir="$2" walker="$3" cond="$4" what="$5" n
	n="$(csv_where "$dir/strace.csv" walker "$walker" per_sample 2>/dev/null || true)"
	if [[ -n "$n" ]] && awk -v n="$n" "BEGIN { exit !($cond) }"; then
		pass "$prefix pystack [$walker]: strace counts $n syscalls per sample, $what"
	else
		fail "$prefix pystack [$walker]: strace counts $what per sample" "counted: ${n:-nothing} (see $CONSOLE)"
	fi
}

# The parked target: every walker matches, with line numbers and thread
# names; the cached walkers make the same reads of a thread that sleeps.
check_pystack_parked() {
	local prefix="$1" fast="$2" dir="$3" walker reads mode
	for walker in "${pystack_walkers[@]}"; do
		check_pystack_match "$prefix pystack [$walker] two threads" "$dir/two/summary.csv" "$walker"
	done
	for mode in "idle:--idle" "cpu:--mode cpu"; do
		for walker in "$fast" pvm; do
			check_pystack_match "$prefix pystack [$walker] ${mode#*:}" "$dir/${mode%%:*}/summary.csv" "$walker"
		done
	done
	for walker in "${pystack_walkers[@]}"; do
		check_pystack_match "$prefix pystack [$walker] 50 frames, no debug file" "$dir/alone/summary.csv" "$walker"
	done
	reads="$(for walker in "${pystack_walkers[@]}"; do
		[[ "$walker" == pvm || " ${pystack_more_reads[*]:-} " == *" $walker "* ]] ||
			csv_where "$dir/alone/summary.csv" walker "$walker" reads 2>/dev/null || true
	done | awk '{ printf "%.1f\n", $1 }' | sort -u)"
	if [[ -n "$reads" && $(wc -l <<<"$reads") -eq 1 ]]; then
		pass "$prefix pystack: the cached walkers make the same reads ($reads per sample)"
	else
		fail "$prefix pystack: the cached walkers make the same reads" "reads per sample: $(tr '\n' ' ' <<<"$reads")"
	fi
}

# The moving target: no stack the fast walker kept (--consistent) breaks
# the program's rule, and it kept most of them (moving.py --check's
# verdicts, DIR/moving/check.txt).
check_pystack_moving() {
	local prefix="$1" fast="$2" dir="$3" check="$3/moving/check.txt" line total bad
	line="$(grep -E "^moving-check .*/$fast\.collapsed:" "$check" 2>/dev/null || true)"
	read -r total bad <<<"$(sed -nE 's/.*: ([0-9]+) samples, ([0-9]+) impossible.*/\1 \2/p' <<<"$line")"
	if [[ "$bad" == 0 ]] && ((total > 0)); then
		pass "$prefix pystack [$fast] moving target: $total samples kept, none impossible ($(grep -E '^moving-check .*/(austin|pvm)\.collapsed' "$check" | sed -E 's|.*/([a-z]+)\.collapsed: .*\(([0-9.]+%)\).*|\1 \2 impossible|' | paste -sd, -))"
	else
		fail "$prefix pystack [$fast] moving target: every kept stack is possible" "${line:-no moving-check line in $check} (see $CONSOLE)"
	fi
}

# Many processes: a parent and its two children in the profile, the child
# that exited reported, every sample taken.
check_pystack_processes() {
	local prefix="$1 pystack --children" fast="$2" dir="$3" pids victim n
	pids="$(grep -o '^P[0-9]*' "$dir/family/$fast.collapsed" 2>/dev/null | sort -u | paste -sd' ' - || true)"
	if [[ $(wc -w <<<"$pids") -ge 3 ]]; then
		pass "$prefix: samples the parent and both children ($pids)"
	else
		fail "$prefix: samples the parent and both children" "pids in the profile: ${pids:-none} (see $CONSOLE)"
	fi
	victim="$(sed -n 's/^child \([0-9]*\)$/\1/p' "$dir/family.log" 2>/dev/null | head -n 1 || true)"
	expect_line "$prefix" "$dir/family.err" "^pystack: pid ${victim:-none} exited .*going on with the others" \
		"reports the child that exited"
	# --samples 800: every sample taken, the others sampled on
	n="$(csv_where "$dir/family/summary.csv" walker "$fast" samples 2>/dev/null || true)"
	if [[ "$n" == 800 ]]; then
		pass "$prefix: goes on with the others to the end (800 samples)"
	else
		fail "$prefix: goes on with the others to the end (800 samples)" "${n:-no} samples (see $CONSOLE)"
	fi
}

# The cost run's interpreter has no debug file: the built-in layout table
# (its samples must match, check_pystack_parked).
check_pystack_no_debug_file() {
	expect_line "$1 pystack" "$2/alone.pystack.log" 'layout from the CPython 3.11 layout table' \
		"an interpreter without a debug file gets the built-in layout table"
}

# check_pystack_versions PREFIX [LOG]: guest-pystack-versions.sh's table
# (RESULTS/pystack-versions.csv; LOG: its console): every interpreter it found walked without errors, at least
# 99% of samples exactly the recorded stacks; the moving target's kept
# stacks all possible for a walker that checks consistency (bpf, kfunc,
# task), counted beside for the others; an interpreter not here a SKIP.
check_pystack_versions() {
	local prefix="$1" log="${2:-$CONSOLE}" rows interpreter layout check walker n errors pct impossible name
	if ! rows="$(csv_cols "$RESULTS/pystack-versions.csv" interpreter layout check walker samples errors \
		matched_pct impossible 2>&1)" || [[ -z "$rows" ]]; then
		fail "$prefix pystack versions: guest-pystack-versions.sh reported" "${rows:-no rows} (see $log)"
		return
	fi
	# every interpreter the script found has its parked rows
	while read -r interpreter; do
		grep -q "^$interpreter,[a-z]*,parked," <<<"$rows" ||
			fail "$prefix pystack CPython $interpreter: the parked target was sampled" "no parked row (see $log)"
	done < <(awk -F, '$2 != "absent" { print $1 }' <<<"$rows" | sort -u)
	while IFS=, read -r interpreter layout check walker n errors pct impossible; do
		name="$prefix pystack [$walker] CPython $interpreter ($layout)"
		if [[ "$layout" == absent ]]; then
			printf 'SKIP %s: pyenv CPython %s is not on this machine\n' "$prefix pystack" "$interpreter"
		elif [[ "$check" == parked* ]]; then
			name="$name${check#parked}"
			if [[ "$n" -gt 0 && "$errors" == 0 ]] && awk -v p="$pct" 'BEGIN { exit !(p >= 99) }'; then
				pass "$name: $pct% of $n samples are the recorded stacks, line numbers and thread names"
			else
				fail "$name: 99% of samples are the recorded stacks" "$n samples, $errors with errors, $pct% matched (see $log)"
			fi
		elif [[ "$n" == 0 || "$errors" != 0 ]]; then
			fail "$name: the moving target was sampled" "$n samples, pystack exit $errors (see $log)"
		elif [[ "$walker" =~ ^(bpf|kfunc|task)$ ]]; then
			if [[ "$impossible" == 0 ]]; then
				pass "$name: moving target, --consistent: all $n stacks kept are possible"
			else
				fail "$name: moving target, --consistent: every stack kept is possible" "${impossible:-?} impossible of ${n:-0} (see $log)"
			fi
		else
			pass "$name: moving target: $impossible of $n stacks impossible (a baseline: counted, not checked)"
		fi
	done <<<"$rows"
}

# check_pystack_start PREFIX LOG EXTRA_MS: guest-pystack-start.sh's table
# (RESULTS/pystack-start.csv; LOG: its console).
# Every run exited 0; a BPF walker's verifier went through 1 to 50000
# instructions (the walk as nested static callbacks took 440003, and a
# million on 6.18: refused), and its first sample came at most EXTRA_MS
# after the slowest first sample of austin's runs (which have no program
# to load: the rest of the start-up is the same; the walk as callbacks
# came 10 to 18 s later under TCG); --duration 1 ended sampling 0.9 to
# 1.3 s after its first sample (the second starts as the first sample is
# taken; one tick may end late).
check_pystack_start() {
	local prefix="$1" log="$2" extra="$3" rows check walker status first last startup insns n name austin
	if ! rows="$(csv_cols "$RESULTS/pystack-start.csv" check walker status first_sample_ms last_sample_ms \
		startup_ms verified_insns samples 2>&1)" || [[ -z "$rows" ]]; then
		fail "$prefix pystack start: guest-pystack-start.sh reported" "${rows:-no rows} (see $log)"
		return
	fi
	austin="$(awk -F, '$1 == "start" && $2 == "austin" && $3 == 0 && $4 > m { m = $4 } END { print m + 0 }' <<<"$rows")"
	if [[ "$austin" == 0 ]]; then
		fail "$prefix pystack [austin]: first samples to compare with" "no austin run (see $log)"
		return
	fi
	while IFS=, read -r check walker status first last startup insns n; do
		name="$prefix pystack [$walker]"
		if [[ "$status" != 0 || -z "$first" ]]; then
			fail "$name $check: pystack ran" "exit $status, no summary (see $log)"
		elif [[ "$check" == duration ]]; then
			if awk -v f="$first" -v l="$last" 'BEGIN { exit !(l - f >= 900 && l - f <= 1300) }'; then
				pass "$name: --duration 1 at 20 kHz ended $(awk -v f="$first" -v l="$last" 'BEGIN { printf "%.0f", l - f }') ms after the first sample ($n samples)"
			else
				fail "$name: --duration 1 ends sampling after 1 s" "first sample at $first ms, last at $last ms (see $log)"
			fi
		elif [[ "$walker" == austin || "$walker" == pvm ]]; then
			pass "$name: first sample $first ms after start"
		elif [[ "${insns:-0}" -lt 1 || "$insns" -gt 50000 ]]; then
			fail "$name: the verifier went through 1 to 50000 instructions" "${insns:-none} (see $log)"
		elif awk -v f="$first" -v a="$austin" -v x="$extra" 'BEGIN { exit !(f <= a + x) }'; then
			pass "$name: first sample $first ms after start, austin's at most $austin ms (start-up $startup ms, $insns instructions verified)"
		else
			fail "$name: first sample at most $extra ms after austin's ($austin ms)" "$first ms (start-up $startup ms, $insns instructions verified; see $log)"
		fi
	done <<<"$rows"
}

# check_pystack_ns PREFIX [LOG]: guest-pystack-ns.sh's table
# (RESULTS/pystack-ns.csv; LOG: its console): each case of targets as they come (a pid
# namespace of its own, a container's root, a deleted and a replaced
# interpreter, Python started late under --children, pystack in a child
# pid namespace) sampled by every walker without errors, at least 99% of
# samples exactly the stacks, line numbers and thread names the target
# recorded (its ids translated to the host's); the task walker refused
# in a child pid namespace.
check_pystack_ns() {
	local prefix="$1" log="${2:-$CONSOLE}" rows case walker n errors pct name
	local -A why=(
		[pidns]="a target in a pid namespace of its own (its threads' ids are that namespace's)"
		[pidns-idle]="a target in a pid namespace of its own, --idle (thread states by the ids here)"
		[pidns-unchecked]="a target in a pid namespace of its own: no thread judged by another task's state"
		[container]="a target in its own pid and mount namespaces, chrooted (its maps name paths /proc/PID/root does not reach)"
		[deleted]="a target whose interpreter file was deleted"
		[replaced]="a target whose interpreter file was replaced"
		[late-child]="--children on a shell that starts Python half a second later"
		[second-child]="--children on a shell whose Python exits and another starts (both sampled)"
		[pystack-in-ns]="pystack in a child pid namespace, on a target there"
		[pystack-in-ns-task-refused]="the task walker in a child pid namespace")
	if ! rows="$(csv_cols "$RESULTS/pystack-ns.csv" case walker samples errors matched_pct 2>&1)" ||
		[[ -z "$rows" ]]; then
		fail "$prefix pystack ns: guest-pystack-ns.sh reported" "${rows:-no rows} (see $log)"
		return
	fi
	for case in "${!why[@]}"; do
		grep -q "^$case," <<<"$rows" ||
			fail "$prefix pystack: ${why[$case]}" "no $case row (see $log)"
	done
	while IFS=, read -r case walker n errors pct; do
		name="$prefix pystack [$walker] ${why[$case]:-$case}"
		if [[ "$case" == pystack-in-ns-task-refused ]]; then
			if [[ "$errors" == 0 ]]; then
				pass "$name: refused, saying it would read other processes"
			else
				fail "$name: refused with the reason" "$errors (see $log)"
			fi
		elif [[ "$n" -gt 0 && "$errors" == 0 ]] && awk -v p="$pct" 'BEGIN { exit !(p >= 99) }'; then
			pass "$name: $pct% of $n samples are the recorded stacks, line numbers and thread names"
		else
			fail "$name: 99% of samples are the recorded stacks" "$n samples, errors: $errors, $pct% matched (see $log)"
		fi
	done <<<"$rows"
}

# check_pystack PREFIX [FAST]: pystack's run (guest-pystack.sh, its outputs
# in RESULTS/pystack) in the booted kernel; FAST is the BPF walker (bpf;
# task on a kernel without the helper; kfunc with the module). Walkers
# named in pystack_more_reads are left out of "the same reads": the kfunc
# walker on 6.1 reads each thread again after its walk, as it cannot see
# that it stayed off a CPU.
check_pystack() {
	local prefix="$1" fast="${2:-bpf}" dir="$RESULTS/pystack"
	if [[ "$fast" == bpf ]]; then
		pystack_walkers=(bpf task austin pvm)
	else
		pystack_walkers=("$fast" austin pvm)
	fi
	check_pystack_parked "$prefix" "$fast" "$dir"
	check_strace_count "$prefix" "$dir" "$fast" 'n <= 4' "at most 4 (BPF_PROG_RUN, pystack's two CPU-clock reads, at most one sleep)"
	check_strace_count "$prefix" "$dir" pvm 'n >= 300' "process_vm_readv calls: at least one per read"
	check_pystack_moving "$prefix" "$fast" "$dir"
	check_pystack_processes "$prefix" "$fast" "$dir"
	check_pystack_no_debug_file "$prefix" "$dir"
	if [[ "$(cat "$RESULTS/pystack.rc" 2>/dev/null)" == 0 ]]; then
		pass "$prefix pystack: the run ended well"
	else
		fail "$prefix pystack: the run ended well" "exit $(cat "$RESULTS/pystack.rc" 2>/dev/null || echo unknown) (see $CONSOLE)"
	fi
}
