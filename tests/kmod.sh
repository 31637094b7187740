#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module's suite: builds copy_from_user_pid.ko and kfunc-test for
# Debian 12's stock kernel (tooling/kmod-build.sh), boots that kernel under
# QEMU (vm/run-stock.sh) and runs vm/guest-kmod.sh there: the refusal of the
# module without BTF, insmod, every kfunc-test case, the refused and the
# clean rmmod, the dmesg scan. Each becomes a PASS or FAIL line; a case that
# did not run, or a VM that did not boot, is a FAIL.
#
# Run it through tests/run.sh kmod (it records into $CFUR_RESULTS).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$REPO_ROOT/tooling/kmod-lib.sh"

kmod_paths "$(kmod_abi)"
readonly CONSOLE="$KMOD_WORK/kmod-console.log"
readonly BPFTOOL="$KMOD_BPF_OUT/bpftool/bootstrap/bpftool"

block() {
	tr -d '\r' <"$CONSOLE" | sed -n "/^CFUR-BEGIN $1\$/,/^CFUR-END $1/p"
}

# The guest's own checks: "PASS name" / "FAIL name: why".
check_guest_checks() {
	local blk="$1" n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		case "$line" in
		PASS\ *) pass "kmod [$KMOD_KREL] ${line#PASS }" ;;
		FAIL\ *) fail "kmod [$KMOD_KREL] ${line#FAIL }" "see $CONSOLE" ;;
		esac
	done < <(block "$blk" | grep -E '^(PASS|FAIL) ')
	[[ $n -gt 0 ]] || fail "kmod [$KMOD_KREL] guest checks ($blk)" "none reported (the VM died? see $CONSOLE)"
}

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

check_dmesg() {
	local hits
	hits="$(tr -d '\r' <"$CONSOLE" | sed -nE 's/^CFUR-END dmesg hits=([0-9]+)$/\1/p')"
	if [[ "$hits" == 0 ]]; then
		pass "kmod [$KMOD_KREL] dmesg: no BUG, WARNING, refcount or lockdep report"
	else
		block dmesg | head -n 40 >&2
		fail "kmod [$KMOD_KREL] dmesg: no BUG, WARNING, refcount or lockdep report" "${hits:-no scan: the VM died} (see $CONSOLE)"
	fi
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
	"$REPO_ROOT/vm/run-stock.sh" --timeout 1800 --log "$CONSOLE" -- \
		"$REPO_ROOT/vm/guest-kmod.sh" "$KMOD_OUT/$KMOD_NAME.ko" \
		"$KMOD_OUT_NOBTF/$KMOD_NAME.ko" "$KMOD_OUT_HEADERS/$KMOD_NAME.ko" \
		"$KMOD_TESTS_OUT/kfunc-test" "$BPFTOOL" || rc=$?
	if [[ $rc -eq 125 ]]; then
		fail "kmod: the stock kernel booted and ran the tests" "it did not (above)"
		return 0
	fi
	pass "kmod: the stock kernel booted ($(tr -d '\r' <"$CONSOLE" | sed -nE 's/^CFUR-NOTE kernel ([^ ]+).*/\1/p')) and ran the tests"
	check_guest_checks kmod-checks-1
	check_kfunc_test
	check_guest_checks kmod-checks-2
	check_dmesg
}

main "$@"
