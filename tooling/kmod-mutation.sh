#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module's mutation run: for each kmod/mutations/NAME.sed, a copy of the
# module with that bug (the sed script applied to copy_from_user_pid.c),
# built for Debian's stock kernel; then one boot of that kernel runs the
# tests against the real module (the control) and against each mutant in
# turn (insmod, kfunc-test, rmmod). A mutant is caught when a kfunc-test
# case fails, or the kernel dies, with it loaded; a dead kernel is booted
# again for the mutants left. Prints a table (mutation, the cases that
# caught it, the cases its file names, verdict) and exits 1 unless every
# mutant is caught and the control passed.
#
# Usage: tooling/kmod-mutation.sh [NAME...]     (default: every mutation)
set -euo pipefail
source "$(dirname "$0")/kmod-lib.sh"

readonly MUTATIONS_DIR="$REPO_ROOT/kmod/mutations"
CONSOLE=""

# replace_if_changed NEW FILE: FILE becomes NEW unless they are the same
# (so that kbuild rebuilds only what changed); NEW is gone after.
replace_if_changed() {
	if cmp -s "$1" "$2"; then
		rm "$1"
	else
		mv "$1" "$2"
	fi
}

build_mutant() {
	local name="$1" dir="$KMOD_MUTANTS/$1" f
	mkdir -p "$dir/scripts"
	for f in "$KMOD_NAME.c" "$KMOD_NAME.h" Kbuild Makefile scripts/resolve_btfids.py; do
		cp "$REPO_ROOT/kmod/$f" "$dir/$f.new"
		replace_if_changed "$dir/$f.new" "$dir/$f"
	done
	sed -f "$MUTATIONS_DIR/$name.sed" "$REPO_ROOT/kmod/$KMOD_NAME.c" >"$dir/$KMOD_NAME.c.new"
	! cmp -s "$dir/$KMOD_NAME.c.new" "$REPO_ROOT/kmod/$KMOD_NAME.c" ||
		die "kmod/mutations/$name.sed changes nothing in kmod/$KMOD_NAME.c: update it"
	replace_if_changed "$dir/$KMOD_NAME.c.new" "$dir/$KMOD_NAME.c"
	nice -n 15 make -C "$dir" KDIR="$KMOD_TREE" >"$dir/build.log" 2>&1 || {
		tail -n 20 "$dir/build.log" >&2
		die "building the mutant $name failed; log: $dir/build.log"
	}
}

block() {
	tr -d '\r' <"$CONSOLE" | sed -n "/^CFUR-BEGIN $1\$/,/^CFUR-END $1/p"
}

failed_cases() {
	block "$1" | sed -nE 's/^FAIL ([a-z_0-9]+) .*/\1/p' | tr '\n' ' ' | sed 's/ $//'
}

main() {
	local names=("$@") left=() kos=() name status boots=0 caught=0 missed=0 got want verdict control
	declare -A result
	kmod_paths "$(kmod_abi)"
	"$REPO_ROOT/tooling/kmod-build.sh"
	if [[ ${#names[@]} -eq 0 ]]; then
		mapfile -t names < <(find "$MUTATIONS_DIR" -name '*.sed' -printf '%f\n' | sed 's/\.sed$//' | sort)
	fi
	for name in "${names[@]}"; do
		[[ -f "$MUTATIONS_DIR/$name.sed" ]] || die "no mutation $name (kmod/mutations/$name.sed)"
	done
	log "building ${#names[@]} mutants"
	for name in "${names[@]}"; do
		build_mutant "$name"
	done
	left=("${names[@]}")
	control=""
	while [[ ${#left[@]} -gt 0 ]]; do
		boots=$((boots + 1))
		CONSOLE="$KMOD_WORK/mutation-console-$boots.log"
		log "boot $boots: the control, then ${#left[@]} mutants"
		status=0
		kos=()
		for name in "${left[@]}"; do
			kos+=("$KMOD_MUTANTS/$name/$KMOD_NAME.ko")
		done
		"$REPO_ROOT/vm/run-stock.sh" --timeout 3600 --log "$CONSOLE" -- \
			"$REPO_ROOT/vm/guest-kmod.sh" "$KMOD_OUT/$KMOD_NAME.ko" \
			"$KMOD_OUT_NOBTF/$KMOD_NAME.ko" "$KMOD_OUT_HEADERS/$KMOD_NAME.ko" \
			"$KMOD_TESTS_OUT/kfunc-test" \
			"$KMOD_BPF_OUT/bpftool/bootstrap/bpftool" \
			"${kos[@]}" >/dev/null 2>&1 || status=$?
		[[ -n "$control" ]] || control="$(block kfunc-test | grep -E '^[0-9]+ passed, [0-9]+ failed$' || true)"
		local next=() progressed=0
		for name in "${left[@]}"; do
			if tr -d '\r' <"$CONSOLE" | grep -q "^CFUR-END mutant-$name\$"; then
				got="$(failed_cases "mutant-$name")"
				result[$name]="${got:-}"
				progressed=1
			elif tr -d '\r' <"$CONSOLE" | grep -q "^CFUR-BEGIN mutant-$name\$"; then
				result[$name]="(the kernel died: $(tr -d '\r' <"$CONSOLE" | grep -m1 -oE 'BUG:.*|Kernel panic.*|general protection.*' || echo "see $CONSOLE"))"
				progressed=1
			else
				next+=("$name")
			fi
		done
		[[ $progressed == 1 ]] || die "boot $boots ran no mutant (exit $status); console: $CONSOLE"
		left=("${next[@]}")
	done
	printf '\n%-28s %-50s %-40s %s\n' mutation "failed with it" "its file expects" verdict
	for name in "${names[@]}"; do
		want="$(sed -nE 's/^# Caught-by: //p' "$MUTATIONS_DIR/$name.sed")"
		got="${result[$name]}"
		if [[ -n "$got" ]]; then
			verdict=caught
			caught=$((caught + 1))
		else
			verdict=MISSED
			missed=$((missed + 1))
		fi
		printf '%-28s %-50s %-40s %s\n' "$name" "${got:-(none)}" "$want" "$verdict"
	done
	echo "control (the real module, same boot): ${control:-no result}"
	echo "$caught of ${#names[@]} mutants caught, in $boots boot(s); consoles: $KMOD_WORK/mutation-console-*.log"
	[[ $missed -eq 0 && "$control" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
}

main "$@"
