#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks on the series written by `make series`:
# checkpatch --strict, scripts/bpf_doc.py, the cover letter's recipients
# against get_maintainer.pl, git send-email --dry-run, and no new W=1 /
# sparse diagnostics in the kernel files the series touches.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$REPO_ROOT/tooling/kconfig-lib.sh"

readonly OUT="$REPO_ROOT/out/series"
readonly TREE="$WORK_DIR/series-tree"
readonly CHECK_TREE="$WORK_DIR/check-tree"
readonly CHECK_BUILD="$WORK_DIR/check-build"
# Kernel objects whose sources the series changes.
readonly OBJECTS=(kernel/bpf/helpers.o kernel/bpf/verifier.o kernel/trace/bpf_trace.o)

# checkpatch's codespell and SPDX checks need Debian's python3 modules.
debian_python_path() { printf '/usr/bin:/bin:%s' "$PATH"; }

codespell_dict() {
	local dict
	dict="$(dpkg -L codespell 2>/dev/null | grep '/dictionary\.txt$' | head -n1)"
	[[ -n "$dict" ]] || die "codespell's dictionary not found; install it with: apt-get install codespell"
	printf '%s\n' "$dict"
}

# UNKNOWN_COMMIT_ID is ignored: the base tree is Debian's source tarball
# imported into a fresh git repository, so checkpatch can look up no upstream
# id at all; the ids the series cites were looked up in upstream's history
# (the cover letter's rebase note says where).
test_checkpatch() {
	local dict patch out summary name
	dict="$(codespell_dict)"
	for patch in "$OUT"/000[1-9]-*.patch; do
		name="checkpatch --strict --codespell: $(basename "$patch")"
		out="$(cd "$TREE" && PATH="$(debian_python_path)" scripts/checkpatch.pl --strict \
			--codespell --codespellfile="$dict" --show-types \
			--ignore UNKNOWN_COMMIT_ID "$patch" 2>&1)" || true
		summary="$(grep -E '^total: ' <<<"$out" || true)"
		if grep -Eq 'Traceback|No codespell typos will be found' <<<"$out"; then
			printf '%s\n' "$out" >&2
			fail "$name" "checkpatch could not run all its checks (output above)"
		elif [[ "$summary" == "total: 0 errors, 0 warnings, 0 checks,"* ]]; then
			pass "$name"
		else
			printf '%s\n' "$out" >&2
			fail "$name" "${summary:-no summary line}"
		fi
	done
}

test_bpf_doc() {
	local defs want rst
	if cmp -s "$TREE/include/uapi/linux/bpf.h" "$TREE/tools/include/uapi/linux/bpf.h"; then
		pass "bpf_doc: include/uapi and tools/include/uapi bpf.h are identical"
	else
		fail "bpf_doc: include/uapi and tools/include/uapi bpf.h are identical" "they differ"
	fi
	defs="$(cd "$TREE" && python3 scripts/bpf_doc.py --filename tools/include/uapi/linux/bpf.h \
		--header helpers 2>&1)" || {
		printf '%s\n' "$defs" | tail -n 5 >&2
		fail "bpf_doc: generates bpf_helper_defs.h" "scripts/bpf_doc.py failed"
		return
	}
	want='static long (* const bpf_copy_from_user_remote)(void *dst, __u32 size, const void *user_ptr, __s32 pid) = (void *) 212;'
	if grep -qxF "$want" <<<"$defs"; then
		pass "bpf_doc: bpf_helper_defs.h declares bpf_copy_from_user_remote as helper 212"
	else
		grep -n 'copy_from_user_remote' <<<"$defs" >&2 || true
		fail "bpf_doc: bpf_helper_defs.h declares bpf_copy_from_user_remote as helper 212" "declaration not found"
	fi
	# Not "bpf_doc.py | grep -q": under pipefail, grep's early exit would
	# fail the pipeline with bpf_doc.py's SIGPIPE whenever it was still
	# writing.
	rst="$(cd "$TREE" && python3 scripts/bpf_doc.py --filename include/uapi/linux/bpf.h helpers 2>&1)" || true
	if grep -q '^\*\*long bpf_copy_from_user_remote(' <<<"$rst"; then
		pass "bpf_doc: the man page (rst) documents the helper"
	else
		fail "bpf_doc: the man page (rst) documents the helper" "not in bpf_doc.py's rst output"
	fi
}

# A persistent worktree and O= build for the diagnostics, so that it costs
# little after the first run and never disturbs the main kernel build.
prepare_check_tree() {
	if [[ ! -e "$CHECK_TREE/.git" ]]; then
		add_full_worktree "$CHECK_TREE" "$BASE_TAG"
	fi
	mkdir -p "$CHECK_BUILD"
	if [[ ! -f "$CHECK_BUILD/.config.cfur" ]] || ! cmp -s "$CHECK_BUILD/.config.cfur" <(merge_fragments "$LEAN_FRAGMENT"); then
		kgit -C "$CHECK_TREE" checkout -q -f --detach "$BASE_TAG"
		allnoconfig_with "$CHECK_TREE" "$CHECK_BUILD" "$LEAN_FRAGMENT"
	fi
}

# Compiles OBJECTS at REV with W=1 and sparse; prints their diagnostics with
# line and column numbers dropped, so that base and series compare.
diagnostics_at() {
	local rev="$1" logf="$WORK_DIR/diagnostics-$1.log"
	kgit -C "$CHECK_TREE" checkout -q -f --detach "$rev"
	PATH="/usr/lib/ccache:$PATH" make -k -C "$CHECK_TREE" O="$CHECK_BUILD" -j"$(nproc_jobs)" \
		W=1 C=2 CHECK=sparse "${OBJECTS[@]}" >"$logf" 2>&1 || true
	for obj in "${OBJECTS[@]}"; do
		[[ -f "$CHECK_BUILD/$obj" ]] || { echo "NOT BUILT: $obj"; tail -n 20 "$logf" >&2; }
	done
	grep -E '(warning|error|note):' "$logf" |
		sed -E -e "s|$CHECK_TREE/||g" -e 's/:[0-9]+:[0-9]+:/:/' -e 's/:[0-9]+:/:/' | sort -u
}

test_diagnostics() {
	local base tip new
	need_cmd sparse sparse
	prepare_check_tree
	log "compiling ${OBJECTS[*]} with W=1 and sparse at the base and at the series tip"
	base="$(diagnostics_at "$BASE_TAG")"
	tip="$(diagnostics_at "$SERIES_BRANCH")"
	if grep -q '^NOT BUILT' <<<"$base$tip"; then
		fail "diagnostics: W=1 and sparse (C=2) on ${OBJECTS[*]}" "$(grep '^NOT BUILT' <<<"$base$tip" | tr '\n' ' ')"
		return
	fi
	new="$(comm -13 <(printf '%s\n' "$base") <(printf '%s\n' "$tip") | sed '/^$/d')"
	if [[ -z "$new" ]]; then
		pass "diagnostics: no new W=1 or sparse (C=2) diagnostics in ${OBJECTS[*]} ($(grep -c . <<<"$base" || true) already at base)"
	else
		printf '%s\n' "$new" >&2
		fail "diagnostics: no new W=1 or sparse (C=2) diagnostics in ${OBJECTS[*]}" "new diagnostics (above)"
	fi
}

# The addresses of the cover letter's "  To:" and "  Cc:" lines (KIND=To|Cc,
# what get_maintainer.pl gives), or of its "  Cc+:" lines (the authors of
# the prior art, added by hand).
cover_recipients() {
	sed -nE "s/^  (${1:-To|Cc}): (.*)\$/\\2/p" "$REPO_ROOT/series/cover-letter.txt"
}

# The cover letter names whom scripts/get_maintainer.pl names for the
# patches, no more and no fewer.
test_recipients() {
	local want have
	want="$(cd "$TREE" && scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats \
		"$OUT"/000[1-9]-*.patch 2>/dev/null | sort)"
	have="$(cover_recipients | sort)"
	if [[ -n "$want" && "$want" == "$have" ]]; then
		pass "cover letter: its To/Cc are what get_maintainer.pl gives ($(wc -l <<<"$want") addresses)"
	else
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$have") | grep '^[<>]' | sed 's/^</missing:/;s/^>/extra:  /' >&2
		fail "cover letter: its To/Cc are what get_maintainer.pl gives" "they differ (above; < get_maintainer.pl, > cover letter)"
	fi
}

# git send-email renders every message of the series, addressed as the
# cover letter says, without sending anything.
test_send_email() {
	local out n to=() cc=() addr
	[[ -x "$(git --exec-path)/git-send-email" ]] ||
		die "git send-email not found; install it with: apt-get install git-email libmailtools-perl (or run: make setup)"
	while read -r addr; do
		if [[ ${#to[@]} -eq 0 ]]; then to=(--to "$addr"); else cc+=(--cc "$addr"); fi
	done < <(cover_recipients 'To|Cc|Cc\+')
	out="$(cd "$TREE" && kgit send-email --dry-run --confirm=never --no-annotate --suppress-cc=all \
		--from "$(git_identity)" "${to[@]}" "${cc[@]}" "$OUT"/*.patch 2>&1)" || true
	n="$(grep -c '^Result: OK$' <<<"$out" || true)"
	if [[ "$n" -eq "$(find "$OUT" -name '*.patch' | wc -l)" ]]; then
		pass "git send-email --dry-run renders all $n messages of the series"
	else
		printf '%s\n' "$out" | tail -n 20 >&2
		fail "git send-email --dry-run renders the series" "$n messages rendered (output above)"
	fi
}

main() {
	[[ -d "$OUT" && -d "$TREE" ]] || die "no series yet: run make series first"
	test_checkpatch
	test_bpf_doc
	test_recipients
	test_send_email
	test_diagnostics
}

main "$@"
