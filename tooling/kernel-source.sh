#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unpacks Debian's linux-source-6.12 into a git repository (outside this repo)
# whose first commit, tagged cfur-base, is the pristine tree. Idempotent.
#
# Usage: tooling/kernel-source.sh        prints the repository's path
set -euo pipefail
source "$(dirname "$0")/lib.sh"

unpack() {
	[[ -f "$KERNEL_TARBALL" ]] ||
		die "kernel source not found at $KERNEL_TARBALL; install it with: apt-get install $KERNEL_PACKAGE (or run: make setup)"
	need_cmd xz xz-utils
	local tmp="${WORK_DIR}/unpack.$$"
	rm -rf "$tmp" && mkdir -p "$tmp"
	log "unpacking $KERNEL_TARBALL (about 10 s)"
	tar -C "$tmp" -xf "$KERNEL_TARBALL"
	local top
	top="$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)"
	[[ -n "$top" ]] || die "$KERNEL_TARBALL holds no directory"
	check_tree_version "$top"
	printf '%s\n' "$top"
}

# Debian's tarball ends its top-level .gitignore with "/*" and "!/debian/",
# which would hide every file from git. The base commit drops that block so
# that the tree behaves like an upstream checkout.
drop_debian_ignore() {
	local gi="$1/.gitignore" n
	n="$(grep -n '^# Debian packaging: ignore everything' "$gi" | cut -d: -f1)"
	[[ -n "$n" ]] || return 0
	# Keep what precedes the block's opening "#" line, minus trailing blanks.
	head -n "$((n - 2))" "$gi" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$gi.new"
	mv "$gi.new" "$gi"
}

create_repo() {
	local top ver
	top="$(unpack)"
	ver="$(tree_version "$top")"
	drop_debian_ignore "$top"
	log "creating the base repository at $BASE_REPO (about 1 min)"
	kgit -C "$top" init -q -b master
	kgit -C "$top" add -A
	GIT_AUTHOR_NAME="Debian $KERNEL_PACKAGE" GIT_AUTHOR_EMAIL="nobody@localhost" \
		GIT_COMMITTER_NAME="Debian $KERNEL_PACKAGE" GIT_COMMITTER_EMAIL="nobody@localhost" \
		GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		kgit -C "$top" commit -q -m "Linux $ver (Debian $KERNEL_PACKAGE)" \
		-m "Pristine tree from $KERNEL_TARBALL; Debian's top-level ignore-everything block dropped from .gitignore."
	kgit -C "$top" tag "$BASE_TAG"
	rm -rf "$BASE_REPO"
	mv "$top" "$BASE_REPO"
	rmdir "$(dirname "$top")"
}

main() {
	mkdir -p "$WORK_DIR"
	if ! kgit -C "$BASE_REPO" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
		create_repo
	fi
	check_tree_version "$BASE_REPO"
	printf '%s\n' "$BASE_REPO"
}

main "$@"
