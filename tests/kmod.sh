#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module's suite: builds copy_from_user_pid.ko and kfunc-test for
# Debian 12's stock kernel (tooling/kmod-build.sh), boots that kernel under
# QEMU (vm/run-stock.sh) and runs vm/guest-kmod.sh there: the refusal of the
# module without BTF, insmod, every kfunc-test case, the kfunc used by the
# project's tools (the thin runner, the leak check, the fuzzer and the
# stress with --via kfunc, the demo, the benchmark, pystack's kfunc
# walker), the refused and the clean rmmod, the dmesg scan. Each becomes a
# PASS or FAIL line; a case that did not run, or a VM that did not boot, is
# a FAIL.
#
# Run it through tests/run.sh kmod (it records into $CFUR_RESULTS).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$REPO_ROOT/tooling/kmod-lib.sh"

kmod_paths "$(kmod_abi)"
readonly CONSOLE="$KMOD_WORK/kmod-console.log"
# The VM's results share (vm/guest-lib.sh), for the checks.
readonly RESULTS="$KMOD_WORK/kmod-results"
readonly BPFTOOL="$KMOD_BPF_OUT/bpftool/bootstrap/bpftool"
# The stock kernel's reliability run: as the vm suite's.
readonly FUZZ_CALLS=100000
readonly STRESS_SECONDS=10
source "$REPO_ROOT/tests/vm-checks.sh"

# Every kfunc-test case passed, all of them ran, and it exited with 0.
check_kfunc_test() {
	local want n=0 name verdict status
	want="$("$KMOD_TESTS_OUT/kfunc-test" -l | wc -l)"
	while read -r verdict name; do
		n=$((n + 1))
		if [[ "$verdict" == ok ]]; then
			pass "kmod [$KMOD_KREL] kfunc-test $name"
		else
			fail "kmod [$KMOD_KREL] kfunc-test $name" "$(block kfunc-test | grep -m1 "^FAIL $name " | cut -d: -f2- | cut -c1-300)"
		fi
	done < <(block kfunc-test | sed -nE 's/^(ok|FAIL) +([a-z_0-9]+) .*/\1 \2/p')
	if [[ $n -eq $want ]]; then
		pass "kmod [$KMOD_KREL] kfunc-test ran all $want cases"
	else
		fail "kmod [$KMOD_KREL] kfunc-test ran all $want cases" "reported $n"
	fi
	status="$(block kfunc-test | sed -nE 's/^CFUR-END kfunc-test rc=([0-9]+)$/\1/p')"
	if [[ "$status" == 0 ]]; then
		pass "kmod [$KMOD_KREL] kfunc-test exited with status 0"
	else
		fail "kmod [$KMOD_KREL] kfunc-test exited with status 0" "status ${status:-unknown: no end marker} (see $CONSOLE)"
	fi
	block kfunc-test | grep -E '^  note:|^[0-9]+ passed|^took' | sed 's/^/    /' || true
}

# kmod/scripts/resolve_btfids.py, which kmod/Makefile uses where the build
# tree has no resolve_btfids (dkms on Debian), writes the very bytes the
# kernel's resolve_btfids writes, on the same pahole output.
check_resolver() {
	local name="kmod: scripts/resolve_btfids.py patches the module as the kernel's resolve_btfids does" dir
	dir="$(mktemp -d "$KMOD_WORK/resolver.XXXXXX")"
	cp "$KMOD_OUT_NOBTF/$KMOD_NAME.ko" "$dir/a.ko"
	if ! LLVM_OBJCOPY=objcopy pahole -J --btf_gen_floats --lang_exclude=rust --btf_base "$KMOD_VMLINUX" "$dir/a.ko" >"$dir/log" 2>&1; then
		fail "$name" "pahole failed: $(tail -n 2 "$dir/log")"
	else
		cp "$dir/a.ko" "$dir/kernel.ko"
		cp "$dir/a.ko" "$dir/py.ko"
		if "$KMOD_WORK/resolve_btfids-6.1/resolve_btfids" -b "$KMOD_VMLINUX" "$dir/kernel.ko" >>"$dir/log" 2>&1 &&
			python3 "$REPO_ROOT/kmod/scripts/resolve_btfids.py" -b "$KMOD_VMLINUX" "$dir/py.ko" >>"$dir/log" 2>&1 &&
			! cmp -s "$dir/a.ko" "$dir/kernel.ko" && cmp -s "$dir/kernel.ko" "$dir/py.ko"; then
			pass "$name"
		else
			fail "$name" "the two differ, or one failed: $(tail -n 2 "$dir/log")"
		fi
	fi
	rm -rf "$dir"
}

# The module built against the headers package (kmod/Makefile made its
# BTF): the kfunc set's id is its BTF's id of bpf_copy_from_user_pid.
check_headers_build() {
	local name="kmod: the module built against the bare headers package has the kfunc's BTF id in its set" ko="$KMOD_OUT_HEADERS/$KMOD_NAME.ko" want got
	want="$("$BPFTOOL" btf dump file "$ko" --base-btf "$KMOD_VMLINUX" 2>/dev/null |
		sed -nE "s/^\[([0-9]+)\] FUNC 'bpf_copy_from_user_pid' .*/\1/p")"
	got="$(objcopy --dump-section .BTF_ids=/dev/stdout "$ko" /dev/null 2>/dev/null | od -An -tu4 -j8 -N4 | tr -d ' ')"
	if [[ -n "$want" && "$want" == "$got" ]]; then
		pass "$name ($want)"
	else
		fail "$name" "BTF has ${want:-no such FUNC}, .BTF_ids has ${got:-nothing}"
	fi
}

# check_use PREFIX: the kfunc used by the project's tools in the stock
# kernel (vm/guest-kmod-use.sh), with the checks of the helper's runs.
check_use() {
	local prefix="$1"
	check_runner "$prefix" cfur-kmod-runner "$EXPECTED_KFUNC_SUBTESTS"
	check_leak "$prefix" kfunc-
	check_reliability "$prefix" "$FUZZ_CALLS" kfunc-
	check_demo "$prefix" kfunc
	check_bench_smoke "$prefix" kfunc pvm_readv proc-mem
	# 6.1 has no bpf_task_from_pid(): stack_walker.c, WALK_UNKNOWN_RAN
	# shellcheck disable=SC2034 # read by tests/pystack-checks.sh
	pystack_more_reads=(kfunc)
	check_pystack "$prefix" kfunc
}

main() {
	local rc=0
	if ! "$REPO_ROOT/tooling/kmod-build.sh"; then
		fail "kmod: build the module and kfunc-test for Debian's stock kernel" "build failed (above)"
		return 0
	fi
	pass "kmod: build the module and kfunc-test for Debian's stock kernel $KMOD_KREL"
	check_resolver
	check_headers_build
	log "booting Debian's stock kernel $KMOD_KREL and running the module's tests (TCG: a few minutes)"
	rm -rf "$RESULTS" && mkdir -p "$RESULTS"
	"$REPO_ROOT/vm/run-stock.sh" --timeout 2400 --log "$CONSOLE" --share "$RESULTS" -- \
		"$REPO_ROOT/vm/guest-kmod.sh" --results "$RESULTS" \
		--use "$KMOD_TOOLS_OUT" "$KMOD_TESTS_OUT/cfur-kmod-runner" "$FUZZ_CALLS" "$STRESS_SECONDS" \
		"$KMOD_OUT/$KMOD_NAME.ko" \
		"$KMOD_OUT_NOBTF/$KMOD_NAME.ko" "$KMOD_OUT_HEADERS/$KMOD_NAME.ko" \
		"$KMOD_TESTS_OUT/kfunc-test" "$BPFTOOL" || rc=$?
	if [[ $rc -eq 125 ]]; then
		fail "kmod: the stock kernel booted and ran the tests" "it did not (above)"
		return 0
	fi
	pass "kmod: the stock kernel booted ($(tr -d '\r' <"$CONSOLE" | sed -nE 's/^CFUR-NOTE kernel ([^ ]+).*/\1/p')) and ran the tests"
	check_guest_checks "kmod [$KMOD_KREL]" kmod-checks-1
	check_kfunc_test
	check_use "kmod [$KMOD_KREL]"
	check_guest_checks "kmod [$KMOD_KREL]" kmod-checks-2
	check_scan "kmod [$KMOD_KREL]"
}

main "$@"
