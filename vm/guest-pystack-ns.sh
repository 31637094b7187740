#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pystack on targets as they come in practice (issue 19, point 1), each the
# parked test program, every sample compared with the stacks, line numbers
# and thread names it recorded:
#   pidns       in a pid namespace of its own (unshare --pid): CPython
#               records its threads' ids in that namespace (its main
#               thread's is 1), pystack reports the ids here beside them;
#               pidns-idle the same with --idle (pvm: thread states from
#               /proc by the ids here)
#   container   in its own pid and mount namespaces, chrooted into a copy
#               of the interpreter and its libraries: its maps name files
#               that /proc/PID/root does not reach, map_files does
#   deleted     its interpreter file deleted after it started
#   replaced    its interpreter file replaced (renamed over) after it started
#   late-child  --children on a shell that starts Python half a second later
#   second-child  --children on a shell whose Python exits and another
#               starts: both sampled
#   pystack-in-ns  pystack itself in a child pid namespace (its own /proc)
#               sampling a target there; the task walker refused there
#               (it looks pids up in the initial namespace)
# Runs in the VM (bpf) and on the host (austin,pvm; task where the kernel
# takes it). Writes the table pystack-ns (vm/guest-lib.sh), a CSV row
# per case and walker for tests/pystack-checks.sh (check_pystack_ns):
#   case,walker,samples,errors,matched_pct
# (errors: pystack's errors, or "exit N" if it failed; the task refusal
# row has samples 0 and errors 0 if pystack refused with the reason).
# Usage: guest-pystack-ns.sh PYSTACK TARGET_DIR OUT_DIR WALKERS SAMPLES
set -uo pipefail
pystack="$1"
targets="$2"
out="$3"
walkers="$4"
samples="${5:?usage: guest-pystack-ns.sh PYSTACK TARGET_DIR OUT_DIR WALKERS SAMPLES}"
readonly PYTHON=/usr/bin/python3.11
pids=()
rows=()

# shellcheck source=vm/guest-lib.sh
source "$(dirname "$0")/guest-lib.sh"
trap stop_targets EXIT

# child_of PID: the pid of PID's (first) child, from /proc (the guest's
# kernel has no /proc/PID/task/TID/children: CONFIG_PROC_CHILDREN is off)
child_of() {
	local stat rest
	for stat in /proc/[0-9]*/stat; do
		read -r rest <"$stat" 2>/dev/null || continue
		rest="${rest##*) }"
		# "S PPID ..." after the command name
		if [[ "${rest#* }" == "$1 "* ]]; then
			stat="${stat#/proc/}"
			echo "${stat%/stat}"
			return 0
		fi
	done
	return 1
}

# start NAME CMD...: a test program (CMD writes "ready <pid>" to
# OUT/NAME.log); waits for it; sets pid to CMD's pid here (the process
# started) and appends it to pids.
start() {
	local name="$1"
	shift
	rm -f "$out/$name.log"
	"$@" >"$out/$name.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_for "$out/$name.log" '^ready ' "$pid"
}

# stop_unshare: unshare --fork ignores SIGTERM while it waits for its
# child; SIGKILL it, and --kill-child's PR_SET_PDEATHSIG kills the child
# (a pid namespace's init, which only SIGKILL from outside stops).
stop_unshare() {
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pids=()
}

# host_expected IN OUT PID: the expected stacks IN, written by a target that
# knows itself by the ids of its own pid namespace, with the ids here of
# process PID, as pystack labels them: P<pid here>;T<tid here> (<its tid>
# in its pid ns) [comm] name.
host_expected() {
	local in="$1" dst="$2" host="$3" status ids own_pid="" script=""
	for status in /proc/"$host"/task/*/status; do
		ids="$(sed -n 's/^NSpid:[[:space:]]*//p' "$status")"
		read -r -a ids <<<"$ids"
		[[ -n "$own_pid" ]] || own_pid="$(sed -n 's/^NSpid:.*[[:space:]]//p' /proc/"$host"/status)"
		script+="s/^P$own_pid;T${ids[-1]} \\[/P$host;T${ids[0]} (${ids[-1]} in its pid ns) [/;"
	done
	sed "$script" "$in" >"$dst"
}

# summary_rows CASE DIR STATUS: a row per walker of DIR/summary.csv;
# STATUS, pystack's exit, in its errors column if not 0
summary_rows() {
	local name="$1" dir="$2" status="$3" walker n errors pct
	[[ -f "$dir/summary.csv" ]] || { rows+=("$name,none,0,exit $status,0"); return; }
	# a here-string, not <(...): the guest has no /dev/fd
	while IFS=, read -r walker n errors pct; do
		[[ "$status" == 0 ]] || errors="exit $status"
		rows+=("$name,$walker,$n,$errors,$pct")
	done <<<"$(csv_cols "$dir/summary.csv" walker samples errors matched_pct)"
}

# sample NAME PID EXPECTED [ARG...]: pystack on PID with WALKERS, its
# profiles and summary in (a fresh) OUT/NAME, then its rows
sample() {
	local name="$1" target="$2" expected="$3" status=0
	shift 3
	rm -rf "${out:?}/$name"
	echo "== ns: $name, pid $target, $walkers (at ${SECONDS}s)"
	"$pystack" --pid "$target" --walker "$walkers" --rate 100 --samples "$samples" \
		--expect "$expected" --out "$out/$name" "$@" >"$out/$name.pystack.log" 2>&1 || status=$?
	grep '^pystack: ' "$out/$name.pystack.log" | head -n 4
	summary_rows "$name" "$out/$name" "$status"
}

# not_started NAME: the rows of a case whose target did not start
not_started() {
	echo "== ns: $1: the target did not start:"
	tail -n 5 "$out/$1.log" 2>/dev/null
	rows+=("$1,none,0,not started,0")
}

# A target in a pid namespace of its own, the same root.
pidns() {
	local host
	# its own /proc (of a mount namespace of its own): target.py reads
	# its threads' names there by the ids it knows
	if ! start pidns unshare --pid --fork --mount-proc --kill-child "$PYTHON" "$targets/target.py" \
		"$out/pidns.own" 20; then
		not_started pidns
		return
	fi
	host="$(child_of "$pid")"
	host_expected "$out/pidns.own" "$out/pidns.expected" "$host"
	sample pidns "$host" "$out/pidns.expected"
	unchecked_rows
	# its sleeping threads' stacks end in [idle]: their states read from
	# /proc by their ids here (the user-space walk's lookups, and a BPF
	# walk's for the threads whose ids it could not look up)
	host_expected "$out/pidns.own.idle" "$out/pidns.expected.idle" "$host"
	sample pidns-idle "$host" "$out/pidns.expected.idle" --idle
	stop_unshare
}

# unchecked_rows: a BPF walker cannot look the pidns target's threads up
# by the ids CPython records (bpf_task_from_pid() takes the initial
# namespace's, where they name other tasks): none of its thread samples
# may be judged quiet or checked by another task's state. A row per BPF
# walker of the pidns run: matched_pct 100 if so, else 0.
unchecked_rows() {
	local walker n errors quiet checked
	while IFS=, read -r walker n quiet checked; do
		[[ "$walker" =~ ^(bpf|kfunc|task)$ ]] || continue
		errors=0
		[[ -n "$checked" ]] || errors="no summary"
		rows+=("pidns-unchecked,$walker,$n,$errors,$(awk -v q="$quiet" -v c="$checked" 'BEGIN { print q + c == 0 ? 100 : 0 }')")
	done <<<"$(csv_cols "$out/pidns/summary.csv" walker samples quiet_pct checked_pct 2>/dev/null)"
}

# make_root DIR: a root holding a copy of the interpreter and of the
# libraries it loads, and mount points for its standard library, the test
# program and /proc
make_root() {
	local root="$1" lib
	rm -rf "$root"
	mkdir -p "$root/usr/bin" "$root/usr/lib/python3.11" "$root/proc" "$root/work" || return 1
	cp "$PYTHON" "$root/usr/bin/" || return 1
	for lib in $(ldd "$PYTHON" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" || return 1
	done
}

# A target in its own pid and mount namespaces, chrooted: its maps name
# its files by paths that mean nothing from here.
container() {
	local root="$out/container-root" host
	mkdir -p "$out/container-work"
	cp "$targets/target.py" "$out/container-work/"
	if ! make_root "$root" ||
		! start container unshare --pid --mount --fork --kill-child sh -c "
			mount -t proc proc '$root/proc' &&
			mount --bind -o ro /usr/lib/python3.11 '$root/usr/lib/python3.11' &&
			mount --bind '$out/container-work' '$root/work' &&
			exec chroot '$root' /usr/bin/python3.11 /work/target.py /work/container.own 20"; then
		not_started container
		return
	fi
	host="$(child_of "$pid")"
	grep -m1 'python3.11' "/proc/$host/maps" | sed 's/^/   its maps: /'
	host_expected "$out/container-work/container.own" "$out/container.expected" "$host"
	sample container "$host" "$out/container.expected"
	stop_unshare
}

# deleted NAME HOW: a copy of the interpreter, started, then deleted (rm)
# or replaced (another file renamed over it, as a package upgrade does)
deleted() {
	local name="$1" how="$2" dir="$out/$1-bin"
	rm -rf "$dir" && mkdir -p "$dir" && cp "$PYTHON" "$dir/python3.11"
	if ! start "$name" "$dir/python3.11" "$targets/target.py" "$out/$name.expected" 20; then
		not_started "$name"
		return
	fi
	if [[ "$how" == rm ]]; then
		rm -f "$dir/python3.11"
	else
		cp /bin/true "$dir/python3.11.new" && mv -f "$dir/python3.11.new" "$dir/python3.11"
	fi
	grep -m1 'python3.11' "/proc/$pid/maps" | sed 's/^/   its maps: /'
	sample "$name" "$pid" "$out/$name.expected"
	stop_targets
}

# --children on a shell that starts Python (its child) half a second after
# pystack starts: pystack waits for it, then samples it. The target parks
# within tens of milliseconds of its interpreter's start (when pystack can
# first find it); pystack then still reads its layout (DWARF: over 100 ms
# natively), loads its walkers (a BPF one: over a second) and reads the
# expected stacks, which the target writes when it parks.
late_child() {
	local shell status=0
	rm -f "$out/late-child.expected" "$out/late-child.log"
	rm -f "$out/late-child.pystack.log"
	# half a second after pystack says it waits (at most 10 s: a pystack
	# that does not wait has given up by then)
	sh -c "i=0
		until grep -q 'looking for one' '$out/late-child.pystack.log' 2>/dev/null || [ \$i -ge 200 ]; do
			i=\$((i + 1)); sleep 0.05
		done
		sleep 0.5
		$PYTHON '$targets/target.py' '$out/late-child.expected' 20 >'$out/late-child.log' 2>&1; true" &
	shell=$!
	pids+=("$shell")
	rm -rf "${out:?}/late-child"
	echo "== ns: late-child, --children on shell $shell, $walkers (at ${SECONDS}s)"
	"$pystack" --pid "$shell" --children --walker "$walkers" --rate 100 --samples "$samples" \
		--expect "$out/late-child.expected" --out "$out/late-child" >"$out/late-child.pystack.log" 2>&1 ||
		status=$?
	grep '^pystack: ' "$out/late-child.pystack.log" | head -n 5
	# it must have waited: found no Python at first
	grep -q 'looking for one' "$out/late-child.pystack.log" || status="no wait"
	summary_rows late-child "$out/late-child" "$status"
	pids+=("$(sed -n 's/^ready //p' "$out/late-child.log" 2>/dev/null)")	# the shell's child
	stop_targets
}

# --children on a shell whose Python is stopped a second after pystack
# starts sampling it (after the walkers' warm-up, whose samples are not
# kept: under the debug kernel a Python given a fixed time died in it)
# and another starts half a second later: pystack samples both, waiting
# in between (it stopped at the first one's exit). The row's matched_pct:
# 100 if both pids are in the profile, else 0.
second_child() {
	local shell status=0 walker="${walkers%%,*}" n seen log="$out/second-child.pystack.log"
	rm -f "$out/second-b.log" "$log"
	sh -c "$PYTHON '$targets/target.py' '$out/second-a.expected' 20 --alone >/dev/null 2>&1 &
		first=\$!
		i=0
		until grep -q '^pystack: sampling 1 processes' '$log' 2>/dev/null || [ \$i -ge 1200 ]; do
			i=\$((i + 1)); sleep 0.1
		done
		sleep 1
		kill \$first; wait \$first 2>/dev/null
		sleep 0.5
		$PYTHON '$targets/target.py' '$out/second-b.expected' 20 --alone >'$out/second-b.log' 2>&1; true" &
	shell=$!
	pids+=("$shell")
	rm -rf "${out:?}/second-child"
	echo "== ns: second-child, --children on shell $shell, $walker for 20 s (at ${SECONDS}s)"
	"$pystack" --pid "$shell" --children --walker "$walker" --rate 100 --duration 20 \
		--out "$out/second-child" >"$log" 2>&1 || status=$?
	grep '^pystack: ' "$log" | head -n 8
	pids+=("$(sed -n 's/^ready //p' "$out/second-b.log" 2>/dev/null)")
	stop_targets
	seen="$(grep -o '^P[0-9]*' "$out/second-child/$walker.collapsed" 2>/dev/null | sort -u | wc -l)"
	n="$(csv_cols "$out/second-child/summary.csv" samples 2>/dev/null)"
	[[ "$status" == 0 ]] || status="exit $status"
	rows+=("second-child,$walker,${n:-0},$status,$([[ "$seen" -ge 2 ]] && echo 100 || echo 0)")
}

# pystack in a child pid namespace with its /proc, on a target there: the
# ids it is given, reads and reports are that namespace's. Then the task
# walker, which would look the pid up in the initial namespace, refused.
pystack_in_ns() {
	local ns_walkers="${walkers//task,/}" status
	ns_walkers="${ns_walkers//,task/}"
	[[ "$ns_walkers" != task ]] || ns_walkers=pvm
	rm -rf "${out:?}/pystack-in-ns"
	echo "== ns: pystack-in-ns, $ns_walkers (at ${SECONDS}s)"
	# shellcheck disable=SC2016 # expanded in the namespace's shell
	unshare --pid --fork --mount-proc --kill-child sh -c '
		rm -f "$3/pystack-in-ns.log"
		"$4" "$5/target.py" "$3/pystack-in-ns.expected" 20 >"$3/pystack-in-ns.log" 2>&1 &
		t=$!
		i=0
		until grep -q "^ready " "$3/pystack-in-ns.log" 2>/dev/null; do
			i=$((i + 1)); [ "$i" -lt 600 ] && kill -0 "$t" 2>/dev/null || exit 9; sleep 0.1
		done
		echo "pystack in its pid namespace: target pid $t"
		"$1" --pid "$t" --walker "$2" --rate 100 --samples "$6" \
			--expect "$3/pystack-in-ns.expected" --out "$3/pystack-in-ns"
		echo "pystack exit $?"
		"$1" --pid "$t" --walker task --samples 1 2>&1 | tail -n 1
		kill "$t"' sh "$pystack" "$ns_walkers" "$out" "$PYTHON" "$targets" "$samples" \
		>"$out/pystack-in-ns.pystack.log" 2>&1
	status="$(sed -n 's/^pystack exit //p' "$out/pystack-in-ns.pystack.log")"
	grep -E '^pystack( in|:)' "$out/pystack-in-ns.pystack.log" | head -n 4
	summary_rows pystack-in-ns "$out/pystack-in-ns" "${status:-1}"
	if grep -q 'the task walker finds its targets by pid in the initial pid namespace' \
		"$out/pystack-in-ns.pystack.log"; then
		rows+=("pystack-in-ns-task-refused,task,0,0,")
	else
		rows+=("pystack-in-ns-task-refused,task,0,not refused,")
	fi
}

main() {
	mkdir -p "$out"
	pidns
	container
	deleted deleted rm
	deleted replaced mv
	late_child
	second_child
	pystack_in_ns
	table pystack-ns "case,walker,samples,errors,matched_pct" "${rows[@]}"
}

main "$@"
