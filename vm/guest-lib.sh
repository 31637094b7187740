# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the guest scripts: the CFUR markers that the host's checks
# (tests/vm-checks.sh) read from the console, and waiting for a program to
# say it is ready.

# run_block NAME CMD...: CMD's output between CFUR markers, with its exit
# status on the end marker; a failure sets the caller's rc to 1.
# shellcheck disable=SC2034 # rc is the sourcing script's
run_block() {
	local name="$1" status=0
	shift
	echo "CFUR-BEGIN $name"
	"$@" || status=$?
	echo "CFUR-END $name rc=$status"
	[[ $status -eq 0 ]] || rc=1
}

# timed CMD...: CMD, then how long it took, on a line of its own.
timed() {
	local start=$SECONDS status=0
	"$@" || status=$?
	echo "took $((SECONDS - start)) s"
	return "$status"
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
