#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The project's own code checked like upstream's: shellcheck on every script,
# clang-format --dry-run --Werror on the C and C++ (tooling/style.sh says
# which files and which style). A suite of its own, not part of static.sh,
# because it takes seconds and needs no series or kernel tree: run it alone
# with tests/run.sh style; make check runs it first.
#
# A finding that stays is disabled where it is, with its reason on the same
# line or just above: "# shellcheck disable=SCxxxx # why", or
# "// clang-format off" ... "// clang-format on" around what the tool would
# make worse.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly STYLE="$REPO_ROOT/tooling/style.sh"

# The top-level folder of each file in the list on stdin, once each.
folders() { cut -d/ -f1 | sort -u; }

# Each script's `source` is followed from the script's folder, and what a
# library defines counts as used (.shellcheckrc).
test_shellcheck() {
	local scripts dir files out
	need_cmd shellcheck shellcheck
	scripts="$("$STYLE" list sh)"
	for dir in $(folders <<<"$scripts"); do
		mapfile -t files < <(grep "^$dir/" <<<"$scripts")
		if out="$(cd "$REPO_ROOT" && shellcheck -x -f gcc "${files[@]}" 2>&1)"; then
			pass "shellcheck: the ${#files[@]} scripts in $dir/"
		else
			printf '%s\n' "$out" >&2
			fail "shellcheck: the ${#files[@]} scripts in $dir/" \
				"$(grep -c ': \(error\|warning\|note\|style\):' <<<"$out" || true) findings (above)"
		fi
	done
}

test_clang_format() {
	local kind list dir files out name
	for kind in c cpp; do
		list="$("$STYLE" list "$kind")"
		for dir in $(folders <<<"$list"); do
			mapfile -t files < <(grep "^$dir/" <<<"$list")
			name="clang-format --dry-run --Werror: the ${#files[@]} $kind files in $dir/"
			if out="$("$STYLE" clang-format "$kind" --dry-run --Werror "${files[@]}" 2>&1)"; then
				pass "$name"
			else
				head -n 40 <<<"$out" >&2
				fail "$name" "$(grep ': error:' <<<"$out" | cut -d: -f1 | sort -u | wc -l) files not formatted (first findings above; make format fixes them)"
			fi
		done
	done
}

main() {
	test_shellcheck
	test_clang_format
}

main "$@"
