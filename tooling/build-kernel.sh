#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the patched kernel (bzImage and modules) with the project's config
# (allnoconfig and tooling/config.lean: what the tests use, not the whole
# BPF selftests config, which is make vmtest-upstream's), in the base
# repository's work tree at the tip of the series branch.
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
source "$(dirname "$0")/kconfig-lib.sh"

readonly SELFTESTS_REL="tools/testing/selftests/bpf"
readonly DEBUG_FRAGMENT="$REPO_ROOT/tooling/config.debug"
readonly PERF_FRAGMENT="$REPO_ROOT/tooling/config.perf"

sync_tree() {
	need_series_branch
	log "build tree $BASE_REPO at $SERIES_BRANCH ($(kgit -C "$BASE_REPO" log -1 --format=%h "$SERIES_BRANCH"))"
	trim_selftests
	# Move to the series tip; git rewrites only the files that differ.
	kgit -C "$BASE_REPO" checkout -q -f --detach "$SERIES_BRANCH"
}

# The build tree's test_progs holds the tests the project runs (the ones
# SELFTESTS_PATTERN selects, tooling/lib.sh) and nothing else: the other
# prog_tests and their BPF programs need types only the full selftests
# config builds (netfilter, MPTCP, XFRM, ...), which this kernel leaves out.
# A sparse checkout keeps the other prog_tests/*.c and progs/*.c out of the
# work tree; the series is not touched. prog_tests/tests.h lists the tests
# and is regenerated when the set changes. make vmtest-upstream builds the
# whole of test_progs in a full tree of its own.
trim_selftests() {
	local patterns
	patterns="$(selftests_sparse_patterns)"
	[[ "$(kgit -C "$BASE_REPO" sparse-checkout list 2>/dev/null | sort)" != "$(sort <<<"$patterns")" ]] ||
		return 0
	log "build tree: test_progs with the tests named *$SELFTESTS_PATTERN* only ($(grep -c '/prog_tests/.*\.c$' <<<"$patterns") prog_tests files)"
	# In order: a later pattern wins.
	xargs -d '\n' git -C "$BASE_REPO" sparse-checkout set --no-cone <<<"$patterns"
	rm -f "$BASE_REPO/$SELFTESTS_REL/prog_tests/tests.h"
}

# selftests_sparse_patterns: everything, less prog_tests/*.c and progs/*.c,
# plus the prog_tests files that define a selected test, the BPF programs
# whose skeletons they include, and the programs the selftests Makefile
# names (LINKED_SKELS' parts, LSKELS, LSKELS_EXTRA), which it always builds.
selftests_sparse_patterns() {
	selftests_sparse_patterns_all | awk '!seen[$0]++'
}

selftests_sparse_patterns_all() {
	local s="$SELFTESTS_REL" files f
	files="$(series_selftests -l | sed "s|^$SERIES_BRANCH:||")"
	[[ -n "$files" ]] || die "no prog_tests file in $SERIES_BRANCH defines a test named *$SELFTESTS_PATTERN*"
	printf '%s\n' '/*' "!/$s/prog_tests/*.c" "!/$s/progs/*.c"
	for f in $files; do
		printf '/%s\n' "$f"
		kgit -C "$BASE_REPO" show "$SERIES_BRANCH:$f" |
			sed -nE "s|^#include \"([a-z0-9_]+)\.(l\|sub)?skel\.h\"\$|/$s/progs/\1.c|p"
	done
	kgit -C "$BASE_REPO" show "$SERIES_BRANCH:$s/Makefile" | sed -e ':a' -e '/\\$/{N;s/\\\n//;ba}' |
		awk -v dir="/$s/progs/" '$1 == "LINKED_SKELS" && $2 == ":=" { for (i = 3; i <= NF; i++) linked[$i] = 1 }
			$2 == ":=" && sub(/-deps$/, "", $1) && ($1 in linked) {
				for (i = 3; i <= NF; i++) { sub(/\.bpf\.o$/, ".c", $i); print dir $i } }
			($1 == "LSKELS" || $1 == "LSKELS_EXTRA") && $2 ~ /^[:+]=$/ {
				for (i = 3; i <= NF; i++) print dir $i }'
}

# write_config TREE [EXTRA_FRAGMENT...]: allnoconfig with tooling/config.lean
# and the extra fragments on top (a later fragment's line wins).
write_config() {
	local tree="$1" want
	shift
	local fragments=("$LEAN_FRAGMENT" "$@")
	want="allnoconfig $(cat "${fragments[@]}" | sha256sum | cut -d' ' -f1)"
	if [[ -f "$tree/.config" && "$(cat "$tree/.config.fragments" 2>/dev/null)" == "$want" ]]; then
		return 0
	fi
	log "writing .config: allnoconfig with ${fragments[*]#"$REPO_ROOT/"}"
	allnoconfig_with "$tree" "$tree" "${fragments[@]}"
	printf '%s\n' "$want" >"$tree/.config.fragments"
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
		sync_full_tree "$tree"
		;;
	--perf)
		tree="$PERF_TREE" fragments=("$PERF_FRAGMENT") what="perf kernel build"
		logf="$WORK_DIR/kernel-perf-build.log"
		sync_full_tree "$tree"
		;;
	*) die "usage: tooling/build-kernel.sh [--debug|--perf]" ;;
	esac
	write_config "$tree" "${fragments[@]}"
	with_progress "$what (bzImage + modules; cold: about 10 min on 2 cores, more for --debug; warm: seconds to minutes)" \
		"$logf" build_tree "$tree"
	[[ -f "$tree/arch/x86/boot/bzImage" ]] || die "the build left no arch/x86/boot/bzImage"
	refresh_payload "$tree" "$logf"
	grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$tree/.config" ||
		die "the kernel config has no CONFIG_DEBUG_INFO_BTF (is pahole installed?)"
	log "bzImage: $tree/arch/x86/boot/bzImage ($(kgit -C "$tree" describe --always --tags))"
}

main "$@"
