#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the patched kernel (bzImage and modules) with the BPF selftests
# config, in the base repository's work tree at the tip of the series branch.
# Only files that differ from the last build are touched, so a rebuild after
# a small change takes seconds; ccache covers the rest.
#
# Usage: tooling/build-kernel.sh [--debug|--perf]      (run `make series` first)
#   --debug  the debug variant (tooling/config.debug on top: KASAN, kmemleak,
#            lockdep, ...) in its own tree, $DEBUG_TREE
#   --perf   the variant for cost figures (tooling/config.perf on top: no
#            lockdep or other lock debugging) in its own tree, $PERF_TREE
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly SELFTESTS_REL="tools/testing/selftests/bpf"
readonly DEBUG_FRAGMENT="$REPO_ROOT/tooling/config.debug"
readonly PERF_FRAGMENT="$REPO_ROOT/tooling/config.perf"

sync_tree() {
	kgit -C "$BASE_REPO" rev-parse -q --verify "refs/heads/$SERIES_BRANCH" >/dev/null ||
		die "no branch $SERIES_BRANCH in $BASE_REPO: run make series first"
	log "build tree $BASE_REPO at $SERIES_BRANCH ($(kgit -C "$BASE_REPO" log -1 --format=%h "$SERIES_BRANCH"))"
	exclude_broken_selftest
	# Move to the series tip; git rewrites only the files that differ.
	kgit -C "$BASE_REPO" checkout -q -f --detach "$SERIES_BRANCH"
}

# Linux 6.12.117 ships prog_tests/bpf_attr_size.c, whose BPF program
# (progs/cgroup_skb_direct_packet_access.c) is not in the tree, so test_progs
# does not build as shipped. The build tree leaves that one file out with a
# sparse checkout: the series is not touched, and no checkout brings the file
# back. prog_tests/tests.h lists the tests and is regenerated without it.
exclude_broken_selftest() {
	local missing="$SELFTESTS_REL/prog_tests/bpf_attr_size.c"
	if ! kgit -C "$BASE_REPO" sparse-checkout list 2>/dev/null | grep -qxF "!/$missing"; then
		log "build tree: leaving out $missing (its BPF program is missing in 6.12.117)"
		kgit -C "$BASE_REPO" sparse-checkout set --no-cone '/*' "!/$missing"
	fi
	if grep -qs 'bpf_attr_size' "$BASE_REPO/$SELFTESTS_REL/prog_tests/tests.h"; then
		rm -f "$BASE_REPO/$SELFTESTS_REL/prog_tests/tests.h"
	fi
}

# write_config TREE [EXTRA_FRAGMENT...]
write_config() {
	local tree="$1" s="$1/$SELFTESTS_REL" want
	shift
	local fragments=("$s/config" "$s/config.vm" "$s/config.x86_64" "$@")
	want="$(cat "${fragments[@]}" | sha256sum | cut -d' ' -f1)"
	if [[ -f "$tree/.config" && "$(cat "$tree/.config.fragments" 2>/dev/null)" == "$want" ]]; then
		return 0
	fi
	log "writing .config from the selftests config fragments${1:+ and $*}"
	cat "${fragments[@]}" >"$tree/.config"
	kmake "$tree" olddefconfig >/dev/null
	check_fragment_applied "$tree" "$@"
	printf '%s\n' "$want" >"$tree/.config.fragments"
}

# Options olddefconfig dropped (unmet dependencies) or kept (selected by
# another) would silently change the variant: every CONFIG_X=y of the extra
# fragments must survive, and every "# CONFIG_X is not set" must be off.
check_fragment_applied() {
	local tree="$1" frag line opt
	shift
	for frag in "$@"; do
		while read -r line; do
			grep -qxF "$line" "$tree/.config" ||
				die "$frag: '$line' is not in the resulting .config (a dependency is missing)"
		done < <(grep -E '^CONFIG_[A-Z0-9_]+=y$' "$frag")
		while read -r opt; do
			! grep -q "^$opt=" "$tree/.config" ||
				die "$frag: $opt is still set in the resulting .config (another option selects it)"
		done < <(sed -nE 's/^# (CONFIG_[A-Z0-9_]+) is not set$/\1/p' "$frag")
	done
}

# A tree built while kmake used ccache's depend mode may keep a piggy.o
# with another kernel in it (see kmake in lib.sh); make sees nothing to do,
# so the stale object goes and the image is made again.
refresh_payload() {
	local tree="$1" logf="$2"
	payload_is_fresh "$tree" && return 0
	log "$tree/arch/x86/boot/compressed/piggy.o holds another kernel: making the image again"
	rm -f "$tree/arch/x86/boot/compressed/piggy.o"
	kmake "$tree" >>"$logf" 2>&1 || die "rebuilding the image failed; log: $logf"
	payload_is_fresh "$tree" ||
		die "$tree/arch/x86/boot/compressed/piggy.o still holds another kernel than vmlinux"
}

# Objtool, resolve_btfids and pahole rewrite vmlinux.o, vmlinux and each .ko
# in place after the link. A build killed between the link and the rewrite
# (a session or CI job that ends) leaves a file make thinks is up to date:
# seen as "incomplete ORC unwind tables in file: vmlinux" on the next build.
# A marker says a build was running; if one is left, those files go.
readonly RUNNING_MARK=.cfur-build-running
forget_killed_build() {
	local tree="$1"
	[[ -e "$tree/$RUNNING_MARK" ]] || return 0
	log "the last build of $tree did not finish: linking vmlinux and the modules again"
	rm -f "$tree"/vmlinux.o "$tree"/vmlinux "$tree"/.tmp_vmlinux*
	# The kernel's modules only: tools/ holds bpf_testmod.ko, which the
	# selftests build owns. (-delete would imply -depth and defeat -prune.)
	find "$tree" -path "$tree/tools" -prune -o -name '*.ko' -type f \
		-exec rm -f {} +
}

build_tree() {
	local tree="$1"
	forget_killed_build "$tree"
	: >"$tree/$RUNNING_MARK"
	kmake "$tree" || return
	rm -f "$tree/$RUNNING_MARK"
}

# Runs a long command, printing a line a minute so that CI logs show life.
with_progress() {
	local what="$1" logf="$2" start pid rc=0
	shift 2
	start=$(date +%s)
	"$@" >"$logf" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		if (( ($(date +%s) - start) % 60 < 5 )) && kill -0 "$pid" 2>/dev/null; then
			log "$what: $(( ($(date +%s) - start) / 60 )) min, $(grep -c '' "$logf") log lines"
		fi
	done
	wait "$pid" || rc=$?
	if [[ $rc -ne 0 ]]; then
		tail -n 40 "$logf" >&2
		die "$what failed (exit $rc); full log: $logf"
	fi
	log "$what: done in $(( $(date +%s) - start )) s"
}

# A variant builds in a worktree of its own at the series tip, so that the
# configurations never rebuild each other's objects.
sync_variant_tree() {
	local tree="$1"
	if [[ ! -d "$tree" ]]; then
		log "creating the build tree $tree"
		add_full_worktree "$tree" "$SERIES_BRANCH"
	else
		kgit -C "$tree" checkout -q -f --detach "$SERIES_BRANCH"
	fi
}

main() {
	local tree="$BASE_REPO" fragments=() what="kernel build" logf="$WORK_DIR/kernel-build.log"
	lock_builds
	need_cmd gcc build-essential
	need_cmd pahole dwarves
	need_cmd bison
	need_cmd flex
	sync_tree
	case "${1:-}" in
	"") ;;
	--debug)
		tree="$DEBUG_TREE" fragments=("$DEBUG_FRAGMENT") what="debug kernel build"
		logf="$WORK_DIR/kernel-debug-build.log"
		sync_variant_tree "$tree"
		;;
	--perf)
		tree="$PERF_TREE" fragments=("$PERF_FRAGMENT") what="perf kernel build"
		logf="$WORK_DIR/kernel-perf-build.log"
		sync_variant_tree "$tree"
		;;
	*) die "usage: tooling/build-kernel.sh [--debug|--perf]" ;;
	esac
	write_config "$tree" "${fragments[@]}"
	with_progress "$what (bzImage + modules; cold: 14 to 31 min on 2 cores, ~19 min or more for --debug; warm: seconds to minutes)" \
		"$logf" build_tree "$tree"
	[[ -f "$tree/arch/x86/boot/bzImage" ]] || die "the build left no arch/x86/boot/bzImage"
	refresh_payload "$tree" "$logf"
	grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$tree/.config" ||
		die "the kernel config has no CONFIG_DEBUG_INFO_BTF (is pahole installed?)"
	log "bzImage: $tree/arch/x86/boot/bzImage ($(kgit -C "$tree" describe --always --tags))"
}

main "$@"
