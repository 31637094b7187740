#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Turns the overlay (this repo's kernel-path files, *.diff and series/) into
# commits and a format-patch series, and an edited kernel tree back into the
# overlay.
#
# Usage:
#   tooling/series.sh make [OUT]        fresh pristine tree + commits + patches
#                                       (default OUT: out/series)
#   tooling/series.sh apply TREE        commit the overlay onto a pristine TREE
#   tooling/series.sh export TREE [BASE] [DEST]
#                                       write TREE's commits BASE..HEAD into the
#                                       overlay at DEST (default: this repo;
#                                       BASE defaults to the tag cfur-base)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly SERIES_DIR="series"
readonly MANIFEST="${SERIES_DIR}/series"
readonly COVER="${SERIES_DIR}/cover-letter.txt"
readonly SUBJECT_PREFIX="PATCH bpf-next"
readonly SERIES_TREE="${WORK_DIR}/series-tree"
# Where the overlay is read from; tests point it at a modified copy.
OVERLAY="${CFUR_OVERLAY:-$REPO_ROOT}"
readonly OVERLAY

# Prints "msgfile path..." for each commit of the manifest in SRC.
manifest_lines() {
	local src="$1"
	[[ -f "$src/$MANIFEST" ]] || die "no manifest at $src/$MANIFEST"
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/:/ /' "$src/$MANIFEST"
}

# The date of the overlay's last change in the project's history (empty
# outside a git checkout). The series' commits carry it, so that applying
# the same overlay again makes the same commits, and the kernel build, which
# puts the commit id into the version string, has nothing to relink.
overlay_date() {
	local src="$1" paths=()
	mapfile -t paths < <(manifest_lines "$src" | cut -d' ' -f2- | tr ' ' '\n' | sed '/^$/d' | sort -u)
	git -C "$src" log -1 --format=%cI -- "$MANIFEST" "$SERIES_DIR/*.msg" "${paths[@]/%/*}" "${paths[@]}" \
		2>/dev/null || true
}

# commit_as TREE IDENT DATE MSGFILE: commits the index as IDENT, dated DATE
# (now if empty), signed off.
commit_as() {
	local tree="$1" ident="$2" date="$3" msgfile="$4" email
	email="${ident##*<}"
	email="${email%>}"
	(
		if [[ -n "$date" ]]; then
			export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"
		fi
		kgit -C "$tree" -c user.name="${ident% <*}" -c user.email="$email" \
			commit -q -s --no-verify --cleanup=verbatim -F "$msgfile"
	)
}

# A helper must not already be applied, and the tree must be clean.
check_pristine() {
	local tree="$1"
	kgit -C "$tree" rev-parse --git-dir >/dev/null 2>&1 ||
		die "$tree is not a git repository; the series is applied as commits (run: git init && git add -A -f && git commit)"
	check_tree_version "$tree"
	if [[ -n "$(kgit -C "$tree" status --porcelain --untracked-files=no)" ]]; then
		kgit -C "$tree" status --short --untracked-files=no | head -n 10 >&2
		die "$tree has uncommitted changes (above); commit or stash them first"
	fi
	if grep -q 'copy_from_user_remote' "$tree/include/uapi/linux/bpf.h"; then
		die "$tree already contains bpf_copy_from_user_remote (include/uapi/linux/bpf.h); apply onto a pristine tree"
	fi
}

# On failure, names the hunks of DIFF that do not apply to TREE.
explain_failed_diff() {
	local tree="$1" diff="$2" path="$3" tmp n=0 header
	tmp="$(mktemp -d)"
	awk -v dir="$tmp" '
		/^@@ / { n++ }
		n == 0 { print > (dir "/header"); next }
		{ print > (dir "/hunk." n) }' "$diff"
	for hunk in "$tmp"/hunk.*; do
		n=$((n + 1))
		header="$(head -n1 "$hunk")"
		if ! cat "$tmp/header" "$hunk" | kgit -C "$tree" apply --check - 2>/dev/null; then
			printf 'error: %s: hunk %s does not apply: %s\n' "$path" "${hunk##*.}" "$header" >&2
		fi
	done
	rm -rf "$tmp"
}

# Prints section N (1-based) of a .diff file: one "diff --git" section per
# commit that changes the file.
diff_section() {
	awk -v want="$2" '/^diff --git /{n++} n == want' "$1"
}

apply_path() {
	local src="$1" tree="$2" path="$3" nth="$4" section
	if [[ -f "$src/$path.diff" ]]; then
		[[ -f "$tree/$path" ]] ||
			die "$path.diff changes $path, which $tree does not have"
		section="$(mktemp)"
		diff_section "$src/$path.diff" "$nth" >"$section"
		[[ -s "$section" ]] ||
			die "$path.diff has no section $nth, but the manifest names $path in $nth commits"
		if ! kgit -C "$tree" apply --index "$section" 2>/dev/null; then
			explain_failed_diff "$tree" "$section" "$path"
			rm -f "$section"
			die "$path.diff (section $nth) no longer applies to $(tree_version "$tree") (hunks above); this commit was not made"
		fi
		rm -f "$section"
	elif [[ -f "$src/$path" ]]; then
		[[ ! -e "$tree/$path" ]] ||
			die "$path is a new file in the overlay, but $tree already has it"
		mkdir -p "$(dirname "$tree/$path")"
		cp "$src/$path" "$tree/$path"
		kgit -C "$tree" add -f -- "$path"
	else
		die "manifest names $path, but the overlay has neither $path nor $path.diff"
	fi
}

# On failure, puts TREE back at the commit it had, so that nothing is left
# half-applied.
rollback_on_failure() {
	local tree="$1" orig="$2" rc="$3"
	[[ $rc -ne 0 ]] || return 0
	kgit -C "$tree" reset -q --hard "$orig"
	warn "$tree reset to $(kgit -C "$tree" log -1 --format=%h "$orig"); no commit of the series was kept"
}

apply_series() {
	local src="$1" tree="$2" ident msg paths orig date
	local -A seen=()
	ident="$(git_identity)"
	date="$(overlay_date "$src")"
	check_pristine "$tree"
	orig="$(kgit -C "$tree" rev-parse HEAD)"
	# shellcheck disable=SC2064 # expand now: the values are fixed
	trap "rollback_on_failure '$tree' '$orig' \$?" EXIT
	while read -r msg paths; do
		[[ -f "$src/$SERIES_DIR/$msg" ]] || die "missing commit message $SERIES_DIR/$msg"
		for path in $paths; do
			seen[$path]=$((${seen[$path]:-0} + 1))
			apply_path "$src" "$tree" "$path" "${seen[$path]}"
		done
		commit_as "$tree" "$ident" "$date" "$src/$SERIES_DIR/$msg" ||
			die "committing $msg failed"
		log "committed: $(head -n1 "$src/$SERIES_DIR/$msg")"
	done < <(manifest_lines "$src")
	trap - EXIT
}

# The series tree is where people edit the series (README): refuse to throw
# away work there that the overlay does not hold yet.
guard_series_tree() {
	local tmp f differ=()
	[[ -d "$SERIES_TREE/.git" || -f "$SERIES_TREE/.git" ]] || return 0
	[[ -z "$(kgit -C "$SERIES_TREE" status --porcelain --untracked-files=no 2>/dev/null)" ]] ||
		die "$SERIES_TREE has uncommitted changes, which make series would throw away: commit and export them (make export KERNEL=$SERIES_TREE), or discard them (git -C $SERIES_TREE checkout -- .)"
	kgit -C "$SERIES_TREE" rev-parse -q --verify "$BASE_TAG^{commit}" >/dev/null 2>&1 || return 0
	# Still what make series left there: nothing of the user's.
	[[ "$(kgit -C "$SERIES_TREE" rev-parse HEAD)" != "$(kgit -C "$SERIES_TREE" rev-parse -q --verify "refs/heads/$SERIES_BRANCH" || true)" ]] ||
		return 0
	tmp="$(mktemp -d)"
	if (export_series "$SERIES_TREE" "$BASE_TAG" "$tmp") >/dev/null 2>&1; then
		while read -r f; do
			cmp -s "$tmp/$f" "$OVERLAY/$f" || differ+=("$f")
		done < <(cd "$tmp" && find . -type f -printf '%P\n' | sort)
	fi
	rm -rf "$tmp"
	[[ ${#differ[@]} -eq 0 ]] ||
		die "$SERIES_TREE has commits the overlay does not hold (${differ[*]}), which make series would throw away: export them first (make export KERNEL=$SERIES_TREE), or remove the tree (git -C $BASE_REPO worktree remove --force $SERIES_TREE)"
}

fresh_series_tree() {
	local base
	base="$("$REPO_ROOT/tooling/kernel-source.sh")"
	guard_series_tree
	kgit -C "$base" worktree remove --force "$SERIES_TREE" >/dev/null 2>&1 || rm -rf "$SERIES_TREE"
	kgit -C "$base" worktree prune
	log "checking out a fresh pristine tree at $SERIES_TREE"
	add_full_worktree "$SERIES_TREE" "$BASE_TAG"
}

format_series() {
	local tree="$1" out="$2" count
	rm -rf "$out" && mkdir -p "$out"
	kgit -C "$tree" branch -f "$SERIES_BRANCH" HEAD
	kgit -C "$tree" config "branch.${SERIES_BRANCH}.description" "$(cat "$OVERLAY/$COVER")"
	kgit -C "$tree" format-patch -q --cover-letter --cover-from-description=subject \
		--subject-prefix="$SUBJECT_PREFIX" -o "$out" "${BASE_TAG}..${SERIES_BRANCH}" >/dev/null
	count="$(find "$out" -name '*.patch' | wc -l)"
	log "wrote $count files to ${out#"$REPO_ROOT"/} (branch $SERIES_BRANCH in $BASE_REPO)"
}

cmd_make() {
	local out="${1:-$REPO_ROOT/out/series}"
	git_identity >/dev/null
	fresh_series_tree
	apply_series "$OVERLAY" "$SERIES_TREE"
	format_series "$SERIES_TREE" "$out"
}

cmd_apply() {
	[[ $# -eq 1 ]] || die "usage: tooling/series.sh apply TREE"
	[[ -d "$1" ]] || die "$1: no such directory"
	apply_series "$OVERLAY" "$(cd "$1" && pwd)"
}

# --- export ---------------------------------------------------------------

slug() {
	tr '[:upper:]' '[:lower:]' <<<"$1" | sed -e 's/[^a-z0-9_]\{1,\}/-/g' -e 's/^-//' -e 's/-$//' | cut -c1-64 | sed 's/-$//'
}

export_message() {
	local tree="$1" commit="$2" dest="$3" ident
	ident="$(git_identity)"
	kgit -C "$tree" log -1 --format=%B "$commit" |
		awk -v sob="Signed-off-by: $ident" '{ lines[NR] = $0 }
		END {
			n = NR
			while (n > 0 && lines[n] == "") n--
			if (n > 0 && lines[n] == sob) n--
			while (n > 0 && lines[n] == "") n--
			for (i = 1; i <= n; i++) print lines[i]
		}' >"$dest"
}

export_series() {
	local tree="$1" base="$2" dest="$3" i=0 commit subject msg path status
	local -A owner=() added=()
	local manifest_tmp
	kgit -C "$tree" rev-parse -q --verify "$base^{commit}" >/dev/null ||
		die "$tree has no commit '$base' (pass the pristine base as BASE)"
	[[ -z "$(kgit -C "$tree" status --porcelain --untracked-files=no)" ]] ||
		die "$tree has uncommitted changes; commit them first (export reads commits)"
	manifest_tmp="$(mktemp)"
	# Drop what the previous manifest put there, so removed files go away.
	if [[ -f "$dest/$MANIFEST" ]]; then
		while read -r msg paths; do
			rm -f "$dest/$SERIES_DIR/$msg"
			for path in $paths; do rm -f "$dest/$path" "$dest/$path.diff"; done
		done < <(manifest_lines "$dest")
	fi
	mkdir -p "$dest/$SERIES_DIR"
	for commit in $(kgit -C "$tree" rev-list --reverse "$base..HEAD"); do
		i=$((i + 1))
		subject="$(kgit -C "$tree" log -1 --format=%s "$commit")"
		msg="$(printf '%04d-%s.msg' "$i" "$(slug "$subject")")"
		export_message "$tree" "$commit" "$dest/$SERIES_DIR/$msg"
		printf '%s:' "$msg" >>"$manifest_tmp"
		while read -r status path; do
			case "$status" in
			A)
				[[ -z "${owner[$path]:-}" ]] ||
					die "$path is added by ${owner[$path]} and changed again by $msg; a file the series adds must be complete in one commit"
				added[$path]="$msg"
				mkdir -p "$(dirname "$dest/$path")"
				kgit -C "$tree" show "HEAD:$path" >"$dest/$path"
				;;
			M)
				[[ -z "${added[$path]:-}" ]] ||
					die "$path is added by ${added[$path]} and changed again by $msg; a file the series adds must be complete in one commit"
				mkdir -p "$(dirname "$dest/$path")"
				# One section per commit that changes the file.
				kgit -C "$tree" diff --no-ext-diff --src-prefix=a/ --dst-prefix=b/ \
					"$commit^" "$commit" -- "$path" >>"$dest/$path.diff"
				;;
			*) die "$path: change type '$status' in $subject is not supported (only added and modified files)" ;;
			esac
			owner[$path]="$msg"
			printf ' %s' "$path" >>"$manifest_tmp"
		done < <(kgit -C "$tree" diff-tree --no-commit-id -r --name-status --no-renames "$commit")
		printf '\n' >>"$manifest_tmp"
	done
	[[ $i -gt 0 ]] || die "$tree has no commits after $base"
	{
		echo "# message file: kernel paths (see series/README.md)"
		cat "$manifest_tmp"
	} >"$dest/$MANIFEST"
	rm -f "$manifest_tmp"
	log "exported $i commits from $tree into ${dest}"
}

cmd_export() {
	[[ $# -ge 1 && $# -le 3 ]] || die "usage: tooling/series.sh export TREE [BASE] [DEST]"
	[[ -d "$1" ]] || die "$1: no such directory"
	local tree base dest
	tree="$(cd "$1" && pwd)"
	base="${2:-$BASE_TAG}"
	dest="${3:-$REPO_ROOT}"
	export_series "$tree" "$base" "$dest"
}

main() {
	local cmd="${1:-}"
	shift || true
	case "$cmd" in
	make) cmd_make "$@" ;;
	apply) cmd_apply "$@" ;;
	export) cmd_export "$@" ;;
	*) die "usage: tooling/series.sh make [OUT] | apply TREE | export TREE [BASE] [DEST]" ;;
	esac
}

main "$@"
