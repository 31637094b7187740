#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series tool: patches written, overlay round trip, and bad input.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly SERIES="$REPO_ROOT/tooling/series.sh"
readonly OUT="$REPO_ROOT/out/series"
SCRATCH="$(mktemp -d)"
readonly SCRATCH
# set while test_bad_input has its own change in the series tree
SERIES_TREE_DIRTIED=
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

cleanup() {
	kgit -C "$BASE_REPO" worktree remove --force "$SCRATCH/tree" >/dev/null 2>&1 || true
	rm -rf "$SCRATCH"
	# A run stopped in between would leave the next make series refused.
	[[ -z "$SERIES_TREE_DIRTIED" ]] || kgit -C "$WORK_DIR/series-tree" reset -q --hard "$SERIES_BRANCH"
}

test_make_series() {
	local n_patches unsigned
	if ! "$SERIES" make; then
		fail "series: make series" "tooling/series.sh make failed"
		return
	fi
	n_patches="$(find "$OUT" -name '000[1-9]-*.patch' | wc -l)"
	if [[ -f "$OUT/0000-cover-letter.patch" && $n_patches -eq 5 ]]; then
		pass "series: 5 patches and a cover letter in out/series"
	else
		fail "series: 5 patches and a cover letter in out/series" "found $n_patches patches"
	fi
	if grep -q '^Subject: \[PATCH bpf-next 0/5\]' "$OUT/0000-cover-letter.patch" &&
		! grep -q '\*\*\* SUBJECT HERE \*\*\*' "$OUT/0000-cover-letter.patch"; then
		pass "series: cover letter carries series/cover-letter.txt"
	else
		fail "series: cover letter carries series/cover-letter.txt" "subject or body missing"
	fi
	if [[ -f "$WORK_DIR/series-tree/tools/testing/selftests/bpf/prog_tests/bpf_attr_size.c" &&
		-z "$(kgit -C "$WORK_DIR/series-tree" status --porcelain)" ]]; then
		pass "series: applied onto a complete, clean tree (not the build tree's sparse checkout)"
	else
		fail "series: applied onto a complete, clean tree (not the build tree's sparse checkout)" \
			"files missing or changed in $WORK_DIR/series-tree"
	fi
	unsigned="$(grep -L "^Signed-off-by: $(git_identity)$" "$OUT"/000[1-9]-*.patch || true)"
	if [[ -n "$unsigned" ]]; then
		fail "series: every patch signed off by the git identity" "$unsigned"
	else
		pass "series: every patch signed off by the git identity"
	fi
}

# Applying and exporting again must give back the overlay byte for byte.
test_roundtrip() {
	local dest="$SCRATCH/export" msg paths path bad=0
	mkdir -p "$dest"
	if ! "$SERIES" export "$WORK_DIR/series-tree" "$BASE_TAG" "$dest" >/dev/null 2>&1; then
		fail "series: export reproduces the overlay" "export failed"
		return
	fi
	cmp -s "$dest/series/series" "$REPO_ROOT/series/series" || bad=1
	while read -r msg paths; do
		cmp -s "$dest/series/$msg" "$REPO_ROOT/series/$msg" || { echo "differs: series/$msg" >&2; bad=1; }
		for path in $paths; do
			for f in "$path" "$path.diff"; do
				[[ -f "$REPO_ROOT/$f" ]] || continue
				cmp -s "$dest/$f" "$REPO_ROOT/$f" || { echo "differs: $f" >&2; bad=1; }
			done
		done
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/:/ /' "$REPO_ROOT/series/series")
	if [[ $bad -eq 0 ]]; then
		pass "series: apply then export reproduces the overlay byte for byte"
	else
		fail "series: apply then export reproduces the overlay byte for byte" "files differ (above)"
	fi
}

# A pristine tree for the bad-input cases; made once, then reset (cheap).
fresh_tree() {
	if [[ -e "$SCRATCH/tree/.git" ]]; then
		kgit -C "$SCRATCH/tree" checkout -q -f --detach "$BASE_TAG"
		kgit -C "$SCRATCH/tree" clean -fdq
	else
		add_full_worktree "$SCRATCH/tree" "$BASE_TAG"
	fi
}

test_bad_input() {
	# Kernel source missing: a fresh work dir and no tarball.
	expect_error "bad input: kernel source missing" "apt-get install linux-source-6\.12" \
		env CFUR_WORK="$SCRATCH/work" CFUR_KERNEL_TARBALL="$SCRATCH/none.tar.xz" \
		"$REPO_ROOT/tooling/kernel-source.sh"

	# A tree of another version.
	mkdir -p "$SCRATCH/old"
	printf 'VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 1\nEXTRAVERSION =\n' >"$SCRATCH/old/Makefile"
	kgit -C "$SCRATCH/old" init -q && kgit -C "$SCRATCH/old" add -A &&
		kgit -C "$SCRATCH/old" -c user.name=t -c user.email=t@t commit -q -m old
	expect_error "bad input: kernel of another version" "is Linux 6\.6\.1, but this overlay is written against Linux 6\.12" \
		"$SERIES" apply "$SCRATCH/old"

	# A tree with local changes.
	fresh_tree
	echo "/* local change */" >>"$SCRATCH/tree/kernel/bpf/helpers.c"
	expect_error "bad input: non-pristine tree (uncommitted change)" "has uncommitted changes" \
		"$SERIES" apply "$SCRATCH/tree"

	# A tree that already has the helper.
	fresh_tree
	kgit -C "$SCRATCH/tree" checkout -q --detach "$SERIES_BRANCH"
	expect_error "bad input: series already applied" "already contains bpf_copy_from_user_remote" \
		"$SERIES" apply "$SCRATCH/tree"

	# An overlay diff that no longer applies: names file and hunk, and the
	# tree is left as it was.
	fresh_tree
	rsync -a --exclude .git --exclude out "$REPO_ROOT/" "$SCRATCH/overlay/"
	sed -i 's|^ \t\.arg5_type\t= ARG_ANYTHING$|& /* drifted */|' \
		"$SCRATCH/overlay/kernel/bpf/helpers.c.diff"
	local head_before
	head_before="$(kgit -C "$SCRATCH/tree" rev-parse HEAD)"
	expect_error "bad input: stale diff names file and hunk" "kernel/bpf/helpers\.c: hunk 2 does not apply: @@" \
		env CFUR_OVERLAY="$SCRATCH/overlay" "$SERIES" apply "$SCRATCH/tree"
	if [[ "$(kgit -C "$SCRATCH/tree" rev-parse HEAD)" == "$head_before" &&
		-z "$(kgit -C "$SCRATCH/tree" status --porcelain)" ]]; then
		pass "bad input: stale diff leaves the tree as it was"
	else
		fail "bad input: stale diff leaves the tree as it was" "HEAD moved or files changed"
	fi

	# No git identity.
	mkdir -p "$SCRATCH/home"
	expect_error "bad input: no git identity" "no git identity" \
		env HOME="$SCRATCH/home" XDG_CONFIG_HOME="$SCRATCH/home" GIT_CONFIG_NOSYSTEM=1 \
		GIT_CONFIG_GLOBAL=/dev/null "$SERIES" make "$SCRATCH/out"

	# Export refuses an unknown base and a dirty tree.
	expect_error "bad input: export with an unknown base" "has no commit 'no-such-base'" \
		"$SERIES" export "$WORK_DIR/series-tree" no-such-base "$SCRATCH/x"

	# Work in the series tree that the overlay does not hold is not thrown
	# away by the next make series.
	local tree="$WORK_DIR/series-tree"
	SERIES_TREE_DIRTIED=1
	echo "/* unexported */" >>"$tree/kernel/bpf/helpers.c"
	expect_error "bad input: make series keeps uncommitted work in the series tree" \
		"has uncommitted changes, which make series would throw away" "$SERIES" make "$SCRATCH/out"
	kgit -C "$tree" -c user.name=t -c user.email=t@t commit -q -a -m unexported
	expect_error "bad input: make series keeps unexported commits in the series tree" \
		"has commits the overlay does not hold \(kernel/bpf/helpers.c.diff" "$SERIES" make "$SCRATCH/out"
	kgit -C "$tree" reset -q --hard "$SERIES_BRANCH"
	SERIES_TREE_DIRTIED=
}

test_make_series
test_roundtrip
test_bad_input
