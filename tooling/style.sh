#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The project's own code, and the style it is held to (tests/style.sh checks
# it, `make format` applies it).
#
# Usage: tooling/style.sh list c|cpp|sh   the files of that kind, one a line
#        tooling/style.sh format          clang-format -i on the C and C++
#        tooling/style.sh count           lines `format` would change, by folder
#        tooling/style.sh clang-format c|cpp ARGS...  clang-format with that style
#
# C (*.c, *.h) follows the kernel's .clang-format (the top-level one), in
# whatever folder it sits; C++ (*.cpp, *.hpp) the nearest .clang-format, which
# in every C++ folder is common/.clang-format. Not listed: kernel/, include/
# and tools/, the overlay of upstream kernel files (and *.diff), which
# checkpatch --strict checks as patches in tests/static.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# clang-format's output changes between major versions: the one version
# that `make format` and the check both use, Debian 12's default.
readonly CLANG_FORMAT=clang-format-14

# Tracked files, relative to the repo's root.
tracked() { git -C "$REPO_ROOT" ls-files -- "$@"; }

not_overlay() { grep -Ev '^(kernel|include|tools)/'; }

# A script: *.sh, a #! line that runs sh, bash or dash (busybox sh too), or
# a library that says "# shellcheck shell=..." in its first lines.
is_script() {
	local first
	[[ "$1" == *.sh ]] && return 0
	IFS= read -r first <"$REPO_ROOT/$1" 2>/dev/null || return 1
	[[ "$first" =~ ^\#!.*[/[:space:]](ba|da)?sh([[:space:]]|$) ]] && return 0
	head -n 5 "$REPO_ROOT/$1" | grep -q '^# shellcheck shell='
}

list() {
	local f
	case "${1:-}" in
	c) tracked '*.c' '*.h' | not_overlay ;;
	cpp) tracked '*.cpp' '*.hpp' | not_overlay ;;
	sh)
		while IFS= read -r f; do
			[[ -f "$REPO_ROOT/$f" && ! -L "$REPO_ROOT/$f" ]] || continue
			if grep -qI . "$REPO_ROOT/$f" && is_script "$f"; then printf '%s\n' "$f"; fi
		done < <(tracked)
		;;
	*) die "usage: tooling/style.sh list c|cpp|sh" ;;
	esac
}

# clang_format KIND ARGS... FILES: clang-format with the style of KIND.
clang_format() {
	local kind="$1"
	shift
	need_cmd "$CLANG_FORMAT" "$CLANG_FORMAT"
	if [[ "$kind" == c ]]; then
		(cd "$REPO_ROOT" && "$CLANG_FORMAT" --style="file:$REPO_ROOT/.clang-format" "$@")
	else
		(cd "$REPO_ROOT" && "$CLANG_FORMAT" --style=file "$@")
	fi
}

format() {
	local kind files
	for kind in c cpp; do
		mapfile -t files < <(list "$kind")
		clang_format "$kind" -i "${files[@]}"
	done
}

# changed_lines KIND FILE: the lines of FILE that clang-format would change.
changed_lines() {
	clang_format "$1" "$2" | diff -U0 "$REPO_ROOT/$2" - | grep -c '^-[^-]' || true
}

count() {
	local kind f n total=0 nfiles=0
	declare -A by_dir=()
	for kind in c cpp; do
		while IFS= read -r f; do
			n="$(changed_lines "$kind" "$f")"
			[[ $n -gt 0 ]] || continue
			by_dir["${f%/*} ($kind)"]=$((${by_dir["${f%/*} ($kind)"]:-0} + n))
			total=$((total + n))
			nfiles=$((nfiles + 1))
		done < <(list "$kind")
	done
	for f in "${!by_dir[@]}"; do printf '%6d %s\n' "${by_dir[$f]}" "$f"; done | sort -k2
	printf '%6d lines in %d files\n' "$total" "$nfiles"
}

main() {
	case "${1:-}" in
	list) list "${2:-}" ;;
	format) format ;;
	count) count ;;
	clang-format)
		[[ "${2:-}" == c || "${2:-}" == cpp ]] || die "usage: tooling/style.sh clang-format c|cpp ARGS..."
		clang_format "${@:2}"
		;;
	*) die "usage: tooling/style.sh list c|cpp|sh | format | count | clang-format c|cpp ARGS..." ;;
	esac
}

main "$@"
