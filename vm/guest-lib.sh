# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the guest scripts: the CFUR markers that the host's checks
# (tests/vm-checks.sh) read from the console.

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
