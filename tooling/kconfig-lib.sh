# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The project's kernel config: `make allnoconfig` with tooling/config.lean
# (and a variant's fragment) on top. Sourced by tooling/build-kernel.sh,
# tests/kernel.sh and tests/static.sh, after tooling/lib.sh.

# shellcheck disable=SC2034 # read by the scripts that source this
readonly LEAN_FRAGMENT="$REPO_ROOT/tooling/config.lean"

# merge_fragments FRAGMENT...: their option lines, the last line for each
# option winning (config.perf turns off what config.lean turns on);
# "CONFIG_X=n" is written as Kconfig writes it, "# CONFIG_X is not set".
merge_fragments() {
	sed -nE -e 's/^(CONFIG_[A-Z0-9_]+)=n$/# \1 is not set/p' \
		-e '/^CONFIG_[A-Z0-9_]+=/p' -e '/^# CONFIG_[A-Z0-9_]+ is not set$/p' "$@" |
		awk '{ key = ($1 == "#") ? $2 : substr($0, 1, index($0, "=") - 1) }
			!(key in line) { order[++n] = key } { line[key] = $0 }
			END { for (i = 1; i <= n; i++) print line[order[i]] }'
}

# config_misses CONFIG MERGED: the lines of MERGED (merge_fragments) that
# CONFIG does not honour: an option olddefconfig dropped (an unmet
# dependency) or one that is still on although the fragment turns it off
# (another option selects it).
config_misses() {
	local config="$1" merged="$2" line opt
	while read -r line; do
		if [[ "$line" == "# "* ]]; then
			opt="${line#\# }" opt="${opt%% *}"
			! grep -q "^$opt=" "$config" || printf '%s (still set)\n' "$line"
		else
			grep -qxF "$line" "$config" || printf '%s (not in the .config)\n' "$line"
		fi
	done <"$merged"
}

# allnoconfig_with SRC_TREE BUILD_DIR FRAGMENT...: writes BUILD_DIR/.config
# (BUILD_DIR may be SRC_TREE) and BUILD_DIR/.config.cfur, the merged
# fragment; fails, listing them, if any option of it did not survive.
allnoconfig_with() {
	local src="$1" build="$2" misses out=()
	shift 2
	[[ "$build" -ef "$src" ]] || out=(O="$build")
	# .config.cfur says the .config is good (tests/static.sh): it is
	# written only once the .config is checked.
	rm -f "$build/.config.cfur"
	merge_fragments "$@" >"$build/.config.cfur.new"
	KCONFIG_ALLCONFIG="$build/.config.cfur.new" make -s -C "$src" "${out[@]}" allnoconfig >/dev/null ||
		die "make allnoconfig failed in $build"
	misses="$(config_misses "$build/.config" "$build/.config.cfur.new")"
	[[ -z "$misses" ]] || {
		printf '%s\n' "$misses" >&2
		die "these options of $* did not survive allnoconfig in $build (a dependency is missing from the fragment)"
	}
	mv "$build/.config.cfur.new" "$build/.config.cfur"
}
