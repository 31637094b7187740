#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in Debian's stock kernel (vm/run-stock.sh), as root: the module's
# checks, each a "PASS name" or "FAIL name: why" line in the block
# kmod-checks, and kfunc-test's cases in the block kfunc-test:
#
#   - the module built without BTF is refused at insmod, with the reason;
#   - the module loads, and its BTF names the kfunc;
#   - kfunc-test, with a cold file on ext4 over a loop device;
#   - rmmod is refused while a loaded program calls the kfunc, and works
#     once it is gone;
#   - the module built against the headers package itself, whose BTF
#     kmod/Makefile made (as under dkms), loads and reads;
#   - with --use, the kfunc used by the project's tools while the module is
#     loaded (vm/guest-kmod-use.sh: the thin runner, leak, fuzz, stress, the
#     demo, the benchmark, pystack's kfunc walker);
#   - then, for each MUTANT module given: insmod, kfunc-test, rmmod (block
#     mutant-NAME);
#   - the kernel log since the start, scanned (vm/guest-scan.sh).
#
# Usage: guest-kmod.sh [--results DIR] [--use TOOLS_DIR KMOD_RUNNER FUZZ_CALLS STRESS_SECONDS]
#                      KO KO_NOBTF KO_HEADERS KFUNC_TEST BPFTOOL [MUTANT_KO...]
#        guest-kmod.sh --mutants KO KFUNC_TEST MUTANT_KO...
#   (a mutant's name is the name of the directory its .ko is in)
#   --results DIR: where the result files go (the VM's results share:
#   vm/guest-lib.sh), for tests/kmod.sh's checks.
#   --mutants: in another kernel than the stock one (the patched 6.12:
#   tooling/kmod-mutation.sh --patched), only kfunc-test with KO (the
#   control), then with each mutant.
set -uo pipefail
source "$(dirname "$0")/guest-lib.sh"

USE=()
MUTANTS_ONLY=0
if [[ "${1:-}" == --results ]]; then
	export CFUR_RESULTS_DIR="$2"
	shift 2
fi
if [[ "${1:-}" == --use ]]; then
	USE=("$2" "$3" "$4" "$5")
	shift 5
elif [[ "${1:-}" == --mutants ]]; then
	MUTANTS_ONLY=1
	set -- "$2" - - "$3" - "${@:4}"
fi
readonly USE MUTANTS_ONLY
readonly KO="$1" KO_NOBTF="$2" KO_HEADERS="$3" KFUNC_TEST="$4" BPFTOOL="$5"
shift 5
readonly MUTANTS=("$@")
readonly MOD=copy_from_user_pid
rc=0

insmod_nobtf_refused() {
	local out
	if out="$(insmod "$KO_NOBTF" 2>&1)"; then
		rmmod "$MOD"
		echo "insmod of the module without BTF succeeded"
		return 1
	fi
	echo "insmod: $out"
	dmesg | grep -m1 "$MOD: the module has no BTF" || {
		echo "no reason in the kernel log"
		return 1
	}
}

loaded_with_btf() {
	insmod "$KO" || return 1
	[[ -e /sys/kernel/btf/$MOD ]] || { echo "no /sys/kernel/btf/$MOD"; return 1; }
	"$BPFTOOL" btf dump file "/sys/kernel/btf/$MOD" --base-btf /sys/kernel/btf/vmlinux |
		grep "FUNC 'bpf_copy_from_user_pid'"
}

# rmmod while kfunc-test --hold keeps a program that calls the kfunc loaded.
rmmod_refused_while_used() {
	local fifo=/tmp/kfunc-hold pid out
	mkfifo "$fifo"
	"$KFUNC_TEST" --hold <"$fifo" >/tmp/kfunc-hold.out 2>&1 &
	pid=$!
	exec {w}>"$fifo"
	wait_for /tmp/kfunc-hold.out holding "$pid" || return 1
	echo "refcnt while held: $(cat /sys/module/$MOD/refcnt)"
	if out="$(rmmod "$MOD" 2>&1)"; then
		echo "rmmod succeeded while a program used the kfunc"
		exec {w}>&-
		return 1
	fi
	echo "rmmod: $out"
	exec {w}>&-
	wait "$pid"
	rm -f "$fifo"
}

rmmod_after_use() {
	rmmod_when_unused "$MOD" && [[ ! -e /sys/kernel/btf/$MOD && ! -e /sys/module/$MOD ]]
}

headers_build_works() {
	local status=0
	insmod "$KO_HEADERS" || return 1
	"$KFUNC_TEST" -t read_secret -t read_multi_batch -t einval || status=1
	rmmod_when_unused "$MOD" || status=1
	return $status
}

run_mutant() {
	local ko="$1" name
	name="$(basename "$(dirname "$ko")")"
	echo "CFUR-BEGIN mutant-$name"
	if insmod "$ko"; then
		timed "$KFUNC_TEST" --cold-file "$COLD_FILE"
		echo 3 >/proc/sys/vm/drop_caches
		rmmod_when_unused "$MOD" || echo "FAIL-RMMOD $name"
	else
		echo "FAIL-INSMOD $name"
	fi
	echo "CFUR-END mutant-$name"
}

run_mutants() {
	local ko
	for ko in "${MUTANTS[@]}"; do
		echo 3 >/proc/sys/vm/drop_caches
		run_mutant "$ko"
	done
}

# --mutants: the control and the mutants, nothing of the stock kernel's.
mutants_only() {
	checks_begin kmod-checks-1
	check "the cold file on ext4 over a loop device" make_cold_file
	check "insmod of $MOD.ko (the control)" insmod "$KO"
	checks_end
	run_block kfunc-test timed "$KFUNC_TEST" --cold-file "$COLD_FILE"
	rmmod_when_unused "$MOD" || rc=1
	run_mutants
}

main() {
	echo "CFUR-NOTE kernel $(uname -r) $(uname -v)"
	"$(dirname "$0")/guest-scan.sh" mark
	if [[ $MUTANTS_ONLY -eq 1 ]]; then
		mutants_only
		"$(dirname "$0")/guest-scan.sh" report
		return $rc
	fi
	checks_begin kmod-checks-1
	check "the cold file on ext4 over a loop device" make_cold_file
	check "insmod refuses the module built without BTF" insmod_nobtf_refused
	check "insmod of $MOD.ko; its BTF has bpf_copy_from_user_pid" loaded_with_btf
	checks_end
	run_block kfunc-test timed "$KFUNC_TEST" --cold-file "$COLD_FILE"
	if [[ ${#USE[@]} -gt 0 ]]; then
		echo 3 >/proc/sys/vm/drop_caches
		"$(dirname "$0")/guest-kmod-use.sh" "${USE[0]}" "${USE[1]}" "$COLD_FILE" \
			"${USE[2]}" "${USE[3]}" all || rc=1
	fi
	checks_begin kmod-checks-2
	check "rmmod is refused while a program that calls the kfunc is loaded" rmmod_refused_while_used
	check "rmmod after the tests" rmmod_after_use
	check "the module built as dkms builds it (BTF by kmod/Makefile) loads and reads" headers_build_works
	checks_end
	run_mutants
	"$(dirname "$0")/guest-scan.sh" report
	return $rc
}

main
