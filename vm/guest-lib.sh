# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the guest scripts: blocks of output between CFUR markers on
# the console, for a person to read, and the result files the host's
# checks (tests/vm-checks.sh) read, in the results directory
# CFUR_RESULTS_DIR (the VM's results share: guest-tests.sh --results,
# guest-kmod.sh --results); and waiting for a program to say it is ready.
# shellcheck source=tooling/csv.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tooling/csv.sh"

# result_file NAME: where the result file NAME goes (/dev/null without a
# results directory: a run by hand).
result_file() {
	if [[ -n "${CFUR_RESULTS_DIR:-}" ]]; then
		printf '%s/%s\n' "$CFUR_RESULTS_DIR" "$1"
	else
		echo /dev/null
	fi
}

# result_dir NAME: a directory for NAME's result files, made (under /tmp
# without a results directory).
result_dir() {
	local dir="${CFUR_RESULTS_DIR:-/tmp}/$1"
	mkdir -p "$dir" && echo "$dir"
}

# run_block NAME CMD...: CMD's output between CFUR markers, with its exit
# status on the end marker and in the result file NAME.rc; a failure sets
# the caller's rc to 1.
# shellcheck disable=SC2034 # rc is the sourcing script's
run_block() {
	local name="$1" status=0
	shift
	echo "CFUR-BEGIN $name"
	"$@" || status=$?
	echo "CFUR-END $name rc=$status"
	echo "$status" >"$(result_file "$name.rc")"
	[[ $status -eq 0 ]] || rc=1
}

# table NAME HEADER ROW...: a CSV table, between CFUR markers on the
# console and in the result file NAME.csv.
table() {
	local name="$1"
	shift
	echo "CFUR-BEGIN $name"
	printf '%s\n' "$@" | tee "$(result_file "$name.csv")"
	echo "CFUR-END $name"
}

# checks_begin NAME, checks_end: a block of check lines (check, below),
# also the result file NAME.checks (tests/vm-checks.sh,
# check_guest_checks).
checks_begin() {
	CHECKS="$1"
	echo "CFUR-BEGIN $CHECKS"
	: >"$(result_file "$CHECKS.checks")"
}
checks_end() {
	echo "CFUR-END $CHECKS"
	CHECKS=""
}

# check NAME CMD...: a "PASS NAME" or "FAIL NAME: why" line (the end of
# CMD's output), on the console and in the block's result file; a failure
# sets the caller's rc to 1.
# shellcheck disable=SC2034 # rc is the sourcing script's
check() {
	local name="$1" out line
	shift
	if out="$("$@" 2>&1)"; then
		line="PASS $name"
	else
		line="FAIL $name: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
		rc=1
	fi
	echo "$line"
	echo "$line" >>"$(result_file "${CHECKS:?check outside checks_begin}.checks")"
}

# timed CMD...: CMD, then how long it took, on a line of its own.
timed() {
	local start=$SECONDS status=0
	"$@" || status=$?
	echo "took $((SECONDS - start)) s"
	return "$status"
}

# stop_targets: kills and reaps the test programs whose pids are in pids.
stop_targets() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=()
}

# wait_for FILE PATTERN [PID]: waits up to 60 s for a line of FILE that
# matches PATTERN, giving up early once process PID has exited; if none
# came, prints FILE on stderr and returns 1.
wait_for() {
	local file="$1" pattern="$2" pid="${3:-}" i
	for ((i = 0; i < 600; i++)); do
		grep -q "$pattern" "$file" 2>/dev/null && return 0
		[[ -z "$pid" ]] || kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "error: no '$pattern' in $file:" >&2
	cat "$file" >&2
	return 1
}

# A file that is on a block device and not in the page cache: ext4 on a
# loop device, written, then the caches dropped. The loop device's backing
# file is on the work share (9p, the host's disk), so that a read takes long
# enough to be seen in flight: over a tmpfs file the loop worker finished
# each read before the faulting task could look.
# make_cold_file makes COLD_FILE (vm/guest-kmod.sh, vm/guest-tests.sh: the
# kfunc's BPF_F_COPY_NOWAIT case).
COLD_FILE=/tmp/cold/cold.bin
make_cold_file() {
	local dir
	dir="$(dirname "$COLD_FILE")"
	[[ -e /dev/loop-control ]] || modprobe loop || return 1
	grep -qw ext4 /proc/filesystems || modprobe ext4 || return 1
	mkdir -p "$dir" &&
		truncate -s 16M /mnt/cold.img &&
		mkfs.ext4 -q -F /mnt/cold.img &&
		mount -o loop /mnt/cold.img "$dir" &&
		head -c 8M /dev/urandom >"$COLD_FILE" &&
		sync && echo 3 >/proc/sys/vm/drop_caches
}

# rmmod_when_unused MODULE: rmmod, retried for up to 10 s. A program that
# calls a module's kfunc holds the module until the program is freed, which
# for a sleepable one waits for an RCU Tasks Trace grace period after its
# last fd is closed: right after the tool exits, the module may still be
# in use.
rmmod_when_unused() {
	local i
	for ((i = 0; i < 50; i++)); do
		rmmod "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	rmmod "$1"
}
