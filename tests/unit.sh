#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gtest unit tests of the C++ code that runs without BPF: each tool's
# `make test` builds every tests/*_test.cpp of the tool and runs them; its
# JSON report gives one PASS or FAIL per test case.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly TOOLS=(runner demo bench reliability pystack)

# report_cases TOOL REPORT: a PASS or FAIL line per test case gtest ran.
report_cases() {
	local tool="$1" report="$2" name failure
	while IFS=$'\t' read -r name failure; do
		if [[ -z "$failure" ]]; then
			pass "unit: $tool: $name"
		else
			fail "unit: $tool: $name" "$failure"
		fi
	done < <(jq -r '.testsuites[] | .name as $suite | .testsuite[]
		| select(.result == "COMPLETED")
		| [$suite + "." + .name, ([.failures[]?.failure] | join(" | "))] | @tsv' "$report")
}

# unit_tool TOOL: builds and runs TOOL's unit tests. A build that fails or a
# binary that dies without its report fails; so does one whose exit says
# failure though every case it reported passed.
unit_tool() {
	local tool="$1" out="$WORK_DIR/unit/$1" rc=0
	# The log stands beside OUT: mk/one-tree.mk empties OUT when it holds
	# another tree's build, under the open log.
	local report="$out/$tool-unit.json" log="$WORK_DIR/unit/$tool-make-test.log"
	# Work directories from before the tools' `make test` hold a binary here.
	[[ -d "$out" ]] || rm -f "$out"
	mkdir -p "$out"
	rm -f "$report"
	make -s -j"$(nproc)" -C "$REPO_ROOT/$tool" test OUT="$out" >"$log" 2>&1 || rc=$?
	if [[ ! -s "$report" ]]; then
		tail -n 30 "$log" >&2
		fail "unit: $tool builds and runs" "no test report (exit $rc; log: $log)"
		return
	fi
	report_cases "$tool" "$report"
	if [[ $rc -ne 0 && "$(jq '.failures' "$report")" == 0 ]]; then
		tail -n 20 "$log" >&2
		fail "unit: $tool runs" "make test exited $rc with every case passed (log: $log)"
	fi
}

main() {
	[[ -f /usr/include/gtest/gtest.h ]] || die "GoogleTest not found; install it with: apt-get install libgtest-dev"
	need_cmd jq
	local tool
	for tool in "${TOOLS[@]}"; do
		unit_tool "$tool"
	done
}

main "$@"
