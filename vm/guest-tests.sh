#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM, in the selftests directory: the helper's tests under both
# runners, the demo, the fuzzer and a short stress, then a scan of what the
# kernel reported meanwhile.
# Usage: guest-tests.sh RUNNER_BINARY DEMO_DIR RELIABILITY_DIR FUZZ_CALLS STRESS_SECONDS [CFUR_BENCH [PYSTACK [KMOD_KO KMOD_RUNNER]]]
# CFUR_BENCH, if given, is smoke-run (a tiny scale; nothing is timed);
# PYSTACK, if given, samples the test Python program (guest-pystack.sh);
# KMOD_KO, if given, is the kfunc's module built for this kernel: loaded
# beside the helper, its cases run by KMOD_RUNNER, the reliability tools
# run with --via kfunc (guest-kmod-use.sh), then unloaded (block kmod).
runner="$1"
demo="$2"
rel="$3"
calls="$4"
seconds="$5"
bench="${6:-}"
pystack="${7:-}"
kmod_ko="${8:-}"
kmod_runner="${9:-}"
here="$(dirname "$0")"
# shellcheck source=vm/guest-lib.sh
source "$here/guest-lib.sh"
pattern="copy_from_user_remote"
rc=0

"$here/guest-scan.sh" mark

if [[ -x ./test_progs ]]; then
	run_block test_progs ./test_progs -t "$pattern"
fi
run_block cfur-runner "$runner" -t "$pattern"

[[ -z "$demo" ]] || "$here/guest-demo.sh" "$demo" || rc=1
# The module beside the helper: loaded, used, unloaded.
kmod_beside_helper() {
	local mod=copy_from_user_pid
	echo "CFUR-BEGIN kmod"
	check "the cold file on ext4 over a loop device" make_cold_file
	check "insmod $mod.ko beside helper 212" insmod "$kmod_ko"
	echo "CFUR-END kmod"
	"$here/guest-kmod-use.sh" "$(dirname "$rel")" "$kmod_runner" "$COLD_FILE" "$calls" "$seconds" || rc=1
	echo "CFUR-BEGIN kmod-unload"
	check "rmmod $mod after use" rmmod_when_unused "$mod"
	check "the module's BTF and sysfs directory are gone" \
		test ! -e "/sys/kernel/btf/$mod" -a ! -e "/sys/module/$mod"
	echo "CFUR-END kmod-unload"
}

if [[ -n "$bench" ]]; then
	run_block bench-smoke "$bench" --scale 0.002 --reps 1 --out /tmp/bench-smoke
fi
if [[ -n "$pystack" ]]; then
	"$here/guest-pystack.sh" "$pystack" "$(cd "$here/.." && pwd)/pystack/target/target.py" /tmp/pystack 200 || rc=1
	"$here/guest-pystack-versions.sh" "$pystack" "$(cd "$here/.." && pwd)/pystack/target" /tmp/pystack-versions \
		bpf 50 || rc=1
	"$here/guest-pystack-start.sh" "$pystack" "$(cd "$here/.." && pwd)/pystack/target" /tmp/pystack-start \
		bpf,austin || rc=1
	"$here/guest-pystack-ns.sh" "$pystack" "$(cd "$here/.." && pwd)/pystack/target" /tmp/pystack-ns \
		bpf 50 || rc=1
fi
"$here/guest-reliability.sh" "$rel" "$calls" "$seconds" || rc=1
[[ -z "$kmod_ko" ]] || kmod_beside_helper
"$here/guest-scan.sh" report
exit "$rc"
