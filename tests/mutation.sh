#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Mutation check: builds a kernel with a deliberately broken helper, runs the
# helper's tests, the fuzzer, a short stress and the dmesg (and, in the debug
# kernel, kmemleak) scan in it, and names every check that caught the
# mutation. Not part of `make test` (each mutation is a kernel relink plus a
# VM run); run it with `make mutation`.
#
# Usage: tests/mutation.sh [--debug] [NAME]
#   --debug  mutate and run the debug kernel (KASAN, kmemleak, lockdep)
#
# Mutations (sed expressions on kernel/bpf/helpers.c in the build tree); the
# first two are the 2022 prototype's mistakes:
#   no-zero      dst is no longer zeroed on error
#   no-put-task  the task is looked up with find_get_task_by_vpid() and its
#                reference is never dropped
#   partial-ok   a short read is reported as success
#   prototype    no-zero and no-put-task together
set -euo pipefail
CFUR_RESULTS="$(mktemp)"
export CFUR_RESULTS
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/vm-checks.sh"

declare -A MUTATIONS=(
	[no-zero]='/^fail:$/,/^\treturn ret;$/{/memset(dst, 0, size);/d}'
	[partial-ok]='s/^\treturn size ? -EFAULT : 0;$/\treturn 0;/'
	[no-put-task]='s/^\t\ttask = find_task_by_vpid(pid);$/\t\ttask = find_get_task_by_vpid(pid);/'
)
# Both of the 2022 prototype's mistakes at once.
MUTATIONS[prototype]="${MUTATIONS[no-zero]}
${MUTATIONS[no-put-task]}"
readonly FUZZ_CALLS=20000
readonly STRESS_SECONDS=10

TREE="$BASE_REPO"
BUILD_ARGS=()
CHECKS_ARGS=()

restore() {
	kgit -C "$TREE" checkout -q -- kernel/bpf/helpers.c
}

mutate() {
	local name="$1" helpers="$TREE/kernel/bpf/helpers.c" before
	before="$(sha256sum "$helpers")"
	sed -i "${MUTATIONS[$name]}" "$helpers"
	[[ "$(sha256sum "$helpers")" != "$before" ]] ||
		die "mutation $name changed nothing: its sed expression no longer matches helpers.c"
}

# The kernel in TREE, built without build-kernel.sh (which would check the
# series out again over the mutation).
relink() {
	CCACHE_DEPEND=1 PATH="/usr/lib/ccache:$PATH" make -s -C "$TREE" -j"$(nproc_jobs)" >"$1" 2>&1
}

build_all() {
	"$REPO_ROOT/tooling/build-kernel.sh" "${BUILD_ARGS[@]}" >/dev/null
	[[ ${#BUILD_ARGS[@]} -eq 0 ]] || "$REPO_ROOT/tooling/build-kernel.sh" >/dev/null
	"$REPO_ROOT/tooling/build-selftests.sh" >/dev/null
	build_tools "$WORK_DIR/mutation-tools-build.log" runner reliability
}

main() {
	local name rc=0 kind=""
	if [[ "${1:-}" == --debug ]]; then
		TREE="$DEBUG_TREE" BUILD_ARGS=(--debug) CHECKS_ARGS=(kmemleak) kind="debug "
		shift
	fi
	name="${1:-no-zero}"
	[[ -n "${MUTATIONS[$name]:-}" ]] || die "unknown mutation '$name' (have: ${!MUTATIONS[*]})"
	build_all
	trap restore EXIT
	mutate "$name"
	log "mutation $name in the ${kind}kernel:"
	kgit -C "$TREE" diff -p -- kernel/bpf/helpers.c | sed -n '/^@@/,$p' >&2
	relink "$WORK_DIR/mutation-build.log" ||
		die "the mutated kernel did not build; log: $WORK_DIR/mutation-build.log"
	CONSOLE="$WORK_DIR/mutation-$name.log"
	"$REPO_ROOT/vm/run.sh" --kernel "$TREE/arch/x86/boot/bzImage" \
		--cwd "$BASE_REPO/tools/testing/selftests/bpf" --timeout 3600 --log "$CONSOLE" -- \
		"$REPO_ROOT/vm/guest-tests.sh" "$(tool_out runner)/cfur-runner" "" \
		"$(tool_out reliability)" "$FUZZ_CALLS" "$STRESS_SECONDS" >/dev/null || rc=$?
	restore
	trap - EXIT
	log "rebuilding the unmutated kernel"
	relink /dev/null || true
	[[ $rc -ne 125 ]] || die "the VM did not run the tests; nothing was shown (console: $CONSOLE)"
	report "$name"
}

# Runs the suites' checks on the console; their failures are what caught
# the mutation.
report() {
	local name="$1" caught
	{
		check_runner mutation test_progs
		check_runner mutation cfur-runner
		check_reliability mutation "$FUZZ_CALLS"
		check_scan mutation "${CHECKS_ARGS[@]}"
	} >/dev/null 2>&1
	caught="$(grep '^FAIL ' "$CFUR_RESULTS" | sed 's/^FAIL mutation /  /' || true)"
	rm -f "$CFUR_RESULTS"
	if [[ -z "$caught" ]]; then
		echo "NOT CAUGHT: every check passed with mutation $name (console: $CONSOLE)"
		return 1
	fi
	echo "mutation $name caught by:"
	printf '%s\n' "$caught"
}

main "$@"
