#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gtest unit tests of the C++ code that runs without BPF: the runner's
# annotation parsing and filter, and the demo's hex dump.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly OUT="$WORK_DIR/unit"
readonly CXXFLAGS=(-std=c++20 -O1 -g -Wall -Wextra -Werror)

run_gtest() {
	local name="$1" bin="$OUT/$1" line
	shift
	if ! g++ "${CXXFLAGS[@]}" "$@" -o "$bin" -lgtest -lgtest_main -pthread 2>"$OUT/$name.build.log"; then
		cat "$OUT/$name.build.log" >&2
		fail "unit: $name builds" "compile error (above)"
		return
	fi
	while read -r line; do
		case "$line" in
		"[       OK ] "*) pass "unit: $name: $(sed -E 's/^\[ +OK \] ([^ ]+).*/\1/' <<<"$line")" ;;
		"[  FAILED  ] "*" ("*) fail "unit: $name: $(sed -E 's/^\[  FAILED  \] ([^ ]+).*/\1/' <<<"$line")" \
			"$(grep -m1 -A3 'Failure$' "$OUT/$name.log" | tr '\n' ' ')" ;;
		esac
	done < <("$bin" >"$OUT/$name.log" 2>&1; cat "$OUT/$name.log")
}

main() {
	mkdir -p "$OUT"
	[[ -f /usr/include/gtest/gtest.h ]] || die "GoogleTest not found; install it with: apt-get install libgtest-dev"
	run_gtest runner -I"$REPO_ROOT/runner/src" -I"$REPO_ROOT/runner/include" \
		"$REPO_ROOT/runner/tests/annotations_test.cpp" "$REPO_ROOT/runner/src/annotations.cpp" \
		"$REPO_ROOT/runner/src/filter.cpp"
	run_gtest demo -I"$REPO_ROOT/demo/src" \
		"$REPO_ROOT/demo/tests/hexdump_test.cpp" "$REPO_ROOT/demo/src/hexdump.cpp"
}

main "$@"
