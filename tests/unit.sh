#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gtest unit tests of the C++ code that runs without BPF: the runner's
# annotation parsing and filter, the demo's hex dump, and the benchmark's
# statistics, table, targets and options, and the reliability tools'
# contract checker and fuzz model, and pystack's DWARF reader, layout,
# stacks and options.
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
	done < <("$bin" >"$OUT/$name.log" 2>&1 || true; cat "$OUT/$name.log")
	# A binary that crashed or failed without naming a test still fails.
	if ! grep -q '^\[  PASSED  \]' "$OUT/$name.log" &&
		! grep -q '^\[  FAILED  \] .* (' "$OUT/$name.log"; then
		tail -n 20 "$OUT/$name.log" >&2
		fail "unit: $name runs" "the test binary did not finish (log: $OUT/$name.log)"
	fi
}

main() {
	mkdir -p "$OUT"
	[[ -f /usr/include/gtest/gtest.h ]] || die "GoogleTest not found; install it with: apt-get install libgtest-dev"
	run_gtest runner -I"$REPO_ROOT/runner/src" -I"$REPO_ROOT/runner/include" -I"$REPO_ROOT/common" \
		"$REPO_ROOT/runner/tests/annotations_test.cpp" "$REPO_ROOT/runner/tests/run_test.cpp" \
		"$REPO_ROOT"/runner/src/{annotations,filter,report,isolate,run}.cpp
	run_gtest demo -I"$REPO_ROOT/demo/src" -I"$REPO_ROOT/common" \
		"$REPO_ROOT/demo/tests/hexdump_test.cpp" "$REPO_ROOT/demo/src/hexdump.cpp" \
		"$REPO_ROOT/demo/tests/peek_options_test.cpp" "$REPO_ROOT/demo/src/peek_options.cpp"
	run_gtest bench -I"$REPO_ROOT/bench/src" -I"$REPO_ROOT/common" \
		"$REPO_ROOT/bench/tests/bench_test.cpp" "$REPO_ROOT/bench/src/stats.cpp" \
		"$REPO_ROOT/bench/src/results.cpp" "$REPO_ROOT/bench/src/targets.cpp" \
		"$REPO_ROOT/bench/src/options.cpp"
	run_gtest reliability -I"$REPO_ROOT/reliability/src" -I"$REPO_ROOT/common" \
		"$REPO_ROOT/reliability/tests/contract_test.cpp" "$REPO_ROOT/reliability/src/contract.cpp" \
		"$REPO_ROOT/reliability/src/layout.cpp"
	run_pystack_gtest
}

# pystack's tests read the DWARF of fixture.so, built here from fixture.c,
# and run two fake interpreters (fake_interpreter.c); they link pystack's
# core library (all but the BPF walkers), which the layout table generated
# from python3.11-dbg and protoc's profile.proto classes are built into.
run_pystack_gtest() {
	local src="$REPO_ROOT/pystack" core="$OUT/pystack-core" cc=(gcc -O1 -o)
	if ! gcc -g -shared -fPIC -o "$OUT/fixture.so" "$src/tests/fixture.c" 2>"$OUT/fixture.build.log" ||
		! "${cc[@]}" "$OUT/python3.11-fake" -DPY_VERSION_HEX=0x030b07f0 "$src/tests/fake_interpreter.c" 2>>"$OUT/fixture.build.log" ||
		! "${cc[@]}" "$OUT/python3.10-fake" -DPY_VERSION_HEX=0x030a00f0 "$src/tests/fake_interpreter.c" 2>>"$OUT/fixture.build.log" ||
		! "${cc[@]}" "$OUT/python3.14-fake" -DPY_VERSION_HEX=0x030e00f0 "$src/tests/fake_interpreter.c" 2>>"$OUT/fixture.build.log" ||
		! "${cc[@]}" "$OUT/python3.13t-fake" -DFREE_THREADED -DPY_VERSION_HEX=0x030d00f0 "$src/tests/fake_interpreter.c" 2>>"$OUT/fixture.build.log"; then
		cat "$OUT/fixture.build.log" >&2
		fail "unit: pystack fixtures build" "compile error (above)"
		return
	fi
	if ! make -s -j2 -C "$src" OUT="$core" core >"$OUT/pystack-core.build.log" 2>&1; then
		tail -n 30 "$OUT/pystack-core.build.log" >&2
		fail "unit: pystack's core library builds" "see $OUT/pystack-core.build.log"
		return
	fi
	run_gtest pystack -I"$src/src" -I"$src/bpf" -I"$src/tests" -I"$REPO_ROOT/common" -I"$core/gen" \
		-DFIXTURE_OBJ="\"$OUT/fixture.so\"" -DFAKE_PYTHON_311="\"$OUT/python3.11-fake\"" \
		-DFAKE_PYTHON_310="\"$OUT/python3.10-fake\"" -DFAKE_PYTHON_314="\"$OUT/python3.14-fake\"" \
		-DFAKE_PYTHON_313T="\"$OUT/python3.13t-fake\"" "$src"/tests/*_test.cpp \
		"$core/libpystack-core.a" -ldw -lelf -lprotobuf -lz
}

main "$@"
