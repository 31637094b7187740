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
# A mutation whose file says "# Kernel: patched" needs what 6.1 lacks (a
# bpf_wq callback): the stock run lists it as not run there, and --patched
# runs the mutants in the patched 6.12 kernel instead (built by make
# kernel), the module built for it beside helper 212.
#
# Usage: tooling/kmod-mutation.sh [--patched] [NAME...]
#   (default: every mutation; the stock run leaves out the "patched" ones)
set -euo pipefail
source "$(dirname "$0")/kmod-lib.sh"

readonly MUTATIONS_DIR="$REPO_ROOT/kmod/mutations"
CONSOLE=""
PATCHED=0
# Where the mutants are built, against which tree, and the control's run.
MUT_DIR=""
MUT_TREE=""
PATCHED_OUT=""
CONSOLE_TAG=""

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
	local name="$1" dir="$MUT_DIR/$1" f
	mkdir -p "$dir/scripts"
	for f in "$KMOD_NAME.c" "$KMOD_NAME.h" Kbuild Makefile scripts/resolve_btfids.py; do
		cp "$REPO_ROOT/kmod/$f" "$dir/$f.new"
		replace_if_changed "$dir/$f.new" "$dir/$f"
	done
	sed -f "$MUTATIONS_DIR/$name.sed" "$REPO_ROOT/kmod/$KMOD_NAME.c" >"$dir/$KMOD_NAME.c.new"
	! cmp -s "$dir/$KMOD_NAME.c.new" "$REPO_ROOT/kmod/$KMOD_NAME.c" ||
		die "kmod/mutations/$name.sed changes nothing in kmod/$KMOD_NAME.c: update it"
	replace_if_changed "$dir/$KMOD_NAME.c.new" "$dir/$KMOD_NAME.c"
	nice -n 15 make -C "$dir" KDIR="$MUT_TREE" >"$dir/build.log" 2>&1 || {
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

# needs_patched NAME: its file says it needs the patched kernel.
needs_patched() {
	grep -q '^# Kernel: patched' "$MUTATIONS_DIR/$1.sed"
}

# boot_mutants CONSOLE MUTANT_KO...: one boot, the control then the mutants.
boot_mutants() {
	local console="$1"
	shift
	if [[ $PATCHED -eq 1 ]]; then
		"$REPO_ROOT/vm/run.sh" --timeout 3600 --log "$console" -- \
			"$REPO_ROOT/vm/guest-kmod.sh" --mutants "$PATCHED_OUT/mod/$KMOD_NAME.ko" \
			"$PATCHED_OUT/tests/kfunc-test" "$@"
	else
		"$REPO_ROOT/vm/run-stock.sh" --timeout 3600 --log "$console" -- \
			"$REPO_ROOT/vm/guest-kmod.sh" "$KMOD_OUT/$KMOD_NAME.ko" \
			"$KMOD_OUT_NOBTF/$KMOD_NAME.ko" "$KMOD_OUT_HEADERS/$KMOD_NAME.ko" \
			"$KMOD_TESTS_OUT/kfunc-test" \
			"$KMOD_BPF_OUT/bpftool/bootstrap/bpftool" "$@"
	fi
}

main() {
	local names=() left=() kos=() name status boots=0 caught=0 missed=0 got want verdict control
	declare -A result
	if [[ "${1:-}" == --patched ]]; then
		PATCHED=1
		shift
	fi
	names=("$@")
	if [[ $PATCHED -eq 1 ]]; then
		CONSOLE_TAG=patched-
		"$REPO_ROOT/tooling/build-kernel.sh"
		MUT_TREE="$BASE_REPO"
		MUT_DIR="$WORK_DIR/kmod-mutants-${BASE_REPO##*/}"
		PATCHED_OUT="$WORK_DIR/kmod-${BASE_REPO##*/}"
		"$REPO_ROOT/tooling/kmod-build.sh" --tree "$BASE_REPO" "$PATCHED_OUT"
	else
		kmod_paths "$(kmod_abi)"
		"$REPO_ROOT/tooling/kmod-build.sh"
		MUT_TREE="$KMOD_TREE"
		MUT_DIR="$KMOD_MUTANTS"
	fi
	if [[ ${#names[@]} -eq 0 ]]; then
		mapfile -t names < <(find "$MUTATIONS_DIR" -name '*.sed' -printf '%f\n' | sed 's/\.sed$//' | sort)
		if [[ $PATCHED -eq 0 ]]; then
			for name in "${names[@]}"; do
				needs_patched "$name" &&
					log "$name needs the patched kernel: tooling/kmod-mutation.sh --patched $name"
			done
			mapfile -t names < <(for name in "${names[@]}"; do needs_patched "$name" || echo "$name"; done)
		fi
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
		CONSOLE="$KMOD_WORK/mutation-console-$CONSOLE_TAG$boots.log"
		log "boot $boots: the control, then ${#left[@]} mutants"
		status=0
		kos=()
		for name in "${left[@]}"; do
			kos+=("$MUT_DIR/$name/$KMOD_NAME.ko")
		done
		boot_mutants "$CONSOLE" "${kos[@]}" >/dev/null 2>&1 || status=$?
		[[ -n "$control" ]] || control="$(block kfunc-test | grep -E '^[0-9]+ passed, [0-9]+ failed$' || true)"
		local next=() progressed=0 text
		# Read once: "tr | grep -q" fails under pipefail when grep quits
		# first and tr gets SIGPIPE.
		text="$(tr -d '\r' <"$CONSOLE")"
		for name in "${left[@]}"; do
			if grep -q "^CFUR-END mutant-$name\$" <<<"$text"; then
				got="$(failed_cases "mutant-$name")"
				result[$name]="${got:-}"
				progressed=1
			elif grep -q "^CFUR-BEGIN mutant-$name\$" <<<"$text"; then
				result[$name]="(the kernel died: $(grep -m1 -oE 'BUG:.*|Kernel panic.*|general protection.*' <<<"$text" || echo "see $CONSOLE"))"
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
