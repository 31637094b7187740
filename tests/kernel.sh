#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The patched tree builds a bzImage (and modules) with the project's config
# (allnoconfig and tooling/config.lean), every option of that fragment is
# in it, and the build tree's test_progs holds every test of the series
# that the project runs (tooling/build-kernel.sh leaves the others out).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$REPO_ROOT/tooling/kconfig-lib.sh"

readonly SELFTESTS="$BASE_REPO/tools/testing/selftests/bpf"

check_build() {
	local name="kernel: the patched tree builds bzImage + modules with tooling/config.lean"
	if "$REPO_ROOT/tooling/build-kernel.sh"; then
		pass "$name"
	else
		fail "$name" "see $WORK_DIR/kernel-build.log"
		return 1
	fi
	if grep -q ' bpf_copy_from_user_remote_proto$' "$BASE_REPO/System.map"; then
		pass "kernel: vmlinux contains bpf_copy_from_user_remote_proto"
	else
		fail "kernel: vmlinux contains bpf_copy_from_user_remote_proto" "symbol not in System.map"
	fi
}

# Every option the tests need, as tooling/config.lean states it, is in the
# .config the kernel was built with.
check_options() {
	local name="kernel: every option of tooling/config.lean is in the built .config" merged misses
	merged="$(merge_fragments "$LEAN_FRAGMENT")"
	if [[ -z "$merged" ]]; then
		fail "$name" "no option read from $LEAN_FRAGMENT"
		return
	fi
	misses="$(config_misses "$BASE_REPO/.config" <(printf '%s\n' "$merged"))"
	if [[ -z "$misses" ]]; then
		pass "$name ($(grep -c . <<<"$merged") options)"
	else
		fail "$name" "$(tr '\n' ' ' <<<"$misses")"
	fi
}

# The tests named *SELFTESTS_PATTERN* that the series' prog_tests define.
series_tests() {
	series_selftests -ho |
		sed -E 's/^void (serial_)?test_([a-z0-9_]+)\(void\)$/\2/' | sort
}

# The trimmed test_progs lists every one of them: the test list has not
# shrunk.
check_test_list() {
	local name="kernel: test_progs holds every test named *$SELFTESTS_PATTERN* of the series" want got
	if ! "$REPO_ROOT/tooling/build-selftests.sh"; then
		fail "$name" "test_progs did not build (see $WORK_DIR/selftests-build.log)"
		return
	fi
	want="$(series_tests)"
	got="$(cd "$SELFTESTS" && ./test_progs -l -t "$SELFTESTS_PATTERN" | sort)" ||
		got="(test_progs -l failed)"
	if [[ -n "$want" && "$want" == "$got" ]]; then
		pass "$name ($(grep -c . <<<"$want"): $(tr '\n' ' ' <<<"$want"))"
	else
		fail "$name" "the series defines '$(tr '\n' ' ' <<<"$want")', test_progs -l lists '$(tr '\n' ' ' <<<"$got")'"
	fi
}

check_build || exit 0
check_options
check_test_list
