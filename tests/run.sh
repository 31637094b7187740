#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs test suites and prints "N passed, N failed" last.
#
# Usage: tests/run.sh [SUITE...]      (default: every suite, in order)
set -euo pipefail
source "$(dirname "$0")/../tooling/lib.sh"

# tooling after kernel: it builds and runs the tools, which need the
# built kernel tree (vmlinux's BTF, libbpf).
readonly ALL_SUITES=(style unit series static kernel tooling vm pystack kmod)

main() {
	local suites=("$@") suite rc passed failed
	[[ ${#suites[@]} -gt 0 ]] || suites=("${ALL_SUITES[@]}")
	CFUR_RESULTS="$(mktemp)"
	export CFUR_RESULTS
	for suite in "${suites[@]}"; do
		[[ -f "$REPO_ROOT/tests/$suite.sh" ]] || die "no test suite '$suite' (have: ${ALL_SUITES[*]})"
		log "suite $suite"
		rc=0
		bash "$REPO_ROOT/tests/$suite.sh" || rc=$?
		if [[ $rc -ne 0 ]]; then
			printf 'FAIL suite %s: aborted with exit %d\n' "$suite" "$rc" | tee -a "$CFUR_RESULTS"
		fi
	done
	passed="$(grep -c '^PASS ' "$CFUR_RESULTS" || true)"
	failed="$(grep -c '^FAIL ' "$CFUR_RESULTS" || true)"
	if [[ $failed -gt 0 ]]; then
		echo "failed:"
		grep '^FAIL ' "$CFUR_RESULTS" | sed 's/^/  /'
	fi
	rm -f "$CFUR_RESULTS"
	echo "${passed} passed, ${failed} failed"
	[[ $failed -eq 0 && $passed -gt 0 ]]
}

main "$@"
