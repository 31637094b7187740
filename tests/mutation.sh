#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Mutation check: builds the kernel with a deliberately broken helper and
# shows that the VM tests catch it. Not part of `make test` (each mutation is
# a kernel relink plus a VM run); run it with `make mutation`.
#
# Mutations (sed expressions on kernel/bpf/helpers.c in the build tree):
#   no-zero      the helper no longer zeroes dst on error
#   no-put-task  the task reference is leaked (the 2022 prototype's bug)
#   partial-ok   a short read is reported as success
set -euo pipefail
source "$(dirname "$0")/../tooling/lib.sh"

readonly HELPERS="$BASE_REPO/kernel/bpf/helpers.c"
declare -A MUTATIONS=(
	[no-zero]='/^fail:$/,/^\treturn ret;$/{/memset(dst, 0, size);/d}'
	[partial-ok]='s/\tif (likely(ret == size))$/\tif (likely(ret > 0))/'
	[no-put-task]='/^BPF_CALL_4(bpf_copy_from_user_remote/,/^}$/{/put_task_struct(task);/d}'
)

restore() {
	kgit -C "$BASE_REPO" checkout -q -- kernel/bpf/helpers.c
}

mutate() {
	local name="$1" before
	before="$(sha256sum "$HELPERS")"
	sed -i "${MUTATIONS[$name]}" "$HELPERS"
	[[ "$(sha256sum "$HELPERS")" != "$before" ]] ||
		die "mutation $name changed nothing: its sed expression no longer matches helpers.c"
}

main() {
	local name="${1:-no-zero}" rc=0
	[[ -n "${MUTATIONS[$name]:-}" ]] || die "unknown mutation '$name' (have: ${!MUTATIONS[*]})"
	"$REPO_ROOT/tooling/build-kernel.sh" >/dev/null
	trap restore EXIT
	mutate "$name"
	log "mutation $name:"
	kgit -C "$BASE_REPO" diff --stat -p -- kernel/bpf/helpers.c | sed -n '/^@@/,$p' >&2
	# Build without build-kernel.sh, which would check the series out again.
	PATH="/usr/lib/ccache:$PATH" make -s -C "$BASE_REPO" -j"$(nproc_jobs)" >"$WORK_DIR/mutation-build.log" 2>&1 ||
		die "the mutated kernel did not build; log: $WORK_DIR/mutation-build.log"
	"$REPO_ROOT/vm/run.sh" --cwd "$BASE_REPO/tools/testing/selftests/bpf" --timeout 1800 \
		--log "$WORK_DIR/mutation-$name.log" -- ./test_progs -t copy_from_user_remote || rc=$?
	restore
	trap - EXIT
	log "rebuilding the unmutated kernel"
	PATH="/usr/lib/ccache:$PATH" make -s -C "$BASE_REPO" -j"$(nproc_jobs)" >/dev/null 2>&1
	if [[ $rc -eq 0 ]]; then
		echo "NOT CAUGHT: the tests passed with mutation $name"
		return 1
	fi
	[[ $rc -ne 125 ]] || die "the VM did not run the tests; nothing was shown"
	echo "mutation $name caught; failing subtests:"
	tr -d '\r' <"$WORK_DIR/mutation-$name.log" | grep -E '^#[0-9]+/[0-9]+ .*:FAIL$' | sort -u | sed 's/^/  /'
}

main "$@"
