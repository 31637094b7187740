#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The tooling's bad-input paths: each says what went wrong and what to do,
# before doing any work. The tools' too: each answers --help with its
# options and a bad value with the option and what it takes, exit status 2
# (they are built here, against the built kernel tree: run after kernel).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SCRATCH="$(mktemp -d)"
readonly SCRATCH
trap 'rm -rf "$SCRATCH"' EXIT

# An apt configuration with no sources at all.
no_apt_sources() {
	mkdir -p "$SCRATCH/apt/sources.list.d"
	: >"$SCRATCH/apt/sources.list"
	printf 'Dir::Etc::sourcelist "%s";\nDir::Etc::sourceparts "%s";\n' \
		"$SCRATCH/apt/sources.list" "$SCRATCH/apt/sources.list.d" >"$SCRATCH/apt.conf"
}

test_mkrootfs() {
	no_apt_sources
	expect_error "tooling: mkrootfs.sh without an apt source names where it looked" \
		"no apt source for Debian bookworm .*sources\.list" \
		env APT_CONFIG="$SCRATCH/apt.conf" CFUR_WORK="$SCRATCH/work" "$REPO_ROOT/tooling/mkrootfs.sh" "$SCRATCH/out.tar.zst"
	if [[ ! -e "$SCRATCH/out.tar.zst" && -z "$(find "$SCRATCH/work" -name 'rootfs.*' 2>/dev/null)" ]]; then
		pass "tooling: mkrootfs.sh stops before debootstrap"
	else
		fail "tooling: mkrootfs.sh stops before debootstrap" "it left files in $SCRATCH"
	fi
}

test_vm_run() {
	expect_error "tooling: vm/run.sh without a kernel image says to build one" \
		"no kernel image at .*run: make kernel" \
		"$REPO_ROOT/vm/run.sh" --kernel "$SCRATCH/none" -- true
	expect_error "tooling: vm/run.sh with a bad --accel" "--accel must be auto, kvm or tcg" \
		"$REPO_ROOT/vm/run.sh" --kernel "$REPO_ROOT/README.md" --accel xen -- true
}

test_bench_ab() {
	expect_error "tooling: bench-ab.sh without a kernel image says to build one" \
		"no kernel image at .*/none .*build one" \
		"$REPO_ROOT/tooling/bench-ab.sh" "$SCRATCH/none" "$REPO_ROOT/README.md"
	expect_error "tooling: bench-ab.sh with a bad --rounds" "--rounds takes a whole number" \
		"$REPO_ROOT/tooling/bench-ab.sh" --rounds 0 "$REPO_ROOT/README.md" "$REPO_ROOT/README.md"
}

test_pystack_profile() {
	expect_error "tooling: pystack-profile.sh with a bad --walker" "--walker takes bpf, task, austin or pvm" \
		"$REPO_ROOT/tooling/pystack-profile.sh" --walker perf
	expect_error "tooling: pystack-profile.sh with a bad --rate" "--rate takes a whole number of Hz" \
		"$REPO_ROOT/tooling/pystack-profile.sh" --rate 10k
	expect_error "tooling: pystack-profile.sh with an unknown option" "usage: tooling/pystack-profile.sh" \
		"$REPO_ROOT/tooling/pystack-profile.sh" --pid 1
}

# check_help TOOL OPTION...: TOOL --help exits 0 and names every OPTION.
check_help() {
	local bin="$1" name out rc=0 opt missing=()
	name="tooling: ${1##*/} --help names its options"
	shift
	out="$("$bin" --help 2>&1)" || rc=$?
	for opt in "$@"; do
		grep -qF -- "$opt" <<<"$out" || missing+=("$opt")
	done
	if [[ $rc -ne 0 ]]; then
		fail "$name" "exit status $rc"
	elif [[ ${#missing[@]} -gt 0 ]]; then
		printf '%s\n' "$out" >&2
		fail "$name" "no ${missing[*]} in the help (above)"
	else
		pass "$name"
	fi
}

# bad_command_line NAME PATTERN CMD...: CMD fails saying PATTERN, with exit
# status 2, a bad command line's.
bad_command_line() {
	local name="$1" pattern="$2" rc=0
	shift 2
	"$@" >/dev/null 2>&1 || rc=$?
	if [[ $rc -eq 2 ]]; then
		expect_error "$name" "$pattern" "$@"
	else
		fail "$name" "exit status $rc, where a bad command line's is 2"
	fi
}

test_tools() {
	local runner demo rel bench pystack
	if ! build_tools "$WORK_DIR/tooling-build.log" runner demo reliability bench pystack; then
		fail "tooling: the tools build" "see the error above and $WORK_DIR/tooling-build.log"
		return
	fi
	runner="$(tool_out runner)/cfur-runner" demo="$(tool_out demo)" rel="$(tool_out reliability)"
	bench="$(tool_out bench)/cfur-bench" pystack="$(tool_out pystack)/pystack"
	check_help "$runner" -t -l -w -J --json-summary
	bad_command_line "tooling: cfur-runner -w with a bad value names it" "^cfur-runner: -w: .*soon.* 0 to 86400" \
		"$runner" -w soon
	check_help "$bench" --reps --scale --churn-threads --out --accel --workloads
	bad_command_line "tooling: cfur-bench --reps with a bad value names it" "^cfur-bench: --reps: .*0.* 1 to 1000" \
		"$bench" --reps 0
	check_help "$rel/cfur-fuzz" --calls --seed --via --flags
	bad_command_line "tooling: cfur-fuzz --flags with a bad value names it" "^cfur-fuzz: --flags: takes fuzz, 0, nowait or mixed, not 'nowhere'" \
		"$rel/cfur-fuzz" --via kfunc --flags nowhere
	check_help "$rel/cfur-stress" --seconds --readers --targets --pid-max --via --flags
	bad_command_line "tooling: cfur-stress --seconds with a bad value names it" "^cfur-stress: --seconds: .*0 not in range" \
		"$rel/cfur-stress" --seconds 0
	check_help "$rel/cfur-leak" --targets --mib --tolerance-mib --via --flags
	bad_command_line "tooling: cfur-leak --via with a bad value names it" "^cfur-leak: --via: takes helper or kfunc, not 'task'" \
		"$rel/cfur-leak" --via task
	check_help "$demo/cfur-peek" --via PID ADDR SIZE
	bad_command_line "tooling: cfur-peek SIZE with a bad value names it" "^cfur-peek: SIZE: must be a number from 1 to 67108864, not '0'" \
		"$demo/cfur-peek" 1 0x10 0
	check_help "$demo/cfur-secret" --help
	bad_command_line "tooling: cfur-secret with an option names it" "^cfur-secret: The following arguments? (was|were) not expected: .*--size" \
		"$demo/cfur-secret" --size 8
	check_help "$pystack" --pid --walker --rate --duration --samples --out --format --expect
	bad_command_line "tooling: pystack --rate with a bad value names it" "^pystack: --rate: .*0 not in range 1 to 100000" \
		"$pystack" --pid 1 --rate 0
}

test_mkrootfs
test_vm_run
test_bench_ab
test_pystack_profile
test_tools
