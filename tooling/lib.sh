# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the project's shell tools. Source it; do not run it.
# shellcheck shell=bash
# The constants below are for the scripts that source this file; checked on
# its own, shellcheck sees them unused.
# shellcheck disable=SC2034

# The kernel this overlay is written against.
readonly KERNEL_VERSION="6.12"
# Overridable so that tests can check what happens when it is missing.
readonly KERNEL_TARBALL="${CFUR_KERNEL_TARBALL:-/usr/src/linux-source-${KERNEL_VERSION}.tar.xz}"
readonly KERNEL_PACKAGE="linux-source-${KERNEL_VERSION}"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
# shellcheck source=tooling/csv.sh
source "$REPO_ROOT/tooling/csv.sh"

# Everything built or unpacked lives outside the repo, so that repeat runs
# reuse it and a fresh clone stays small.
WORK_DIR="${CFUR_WORK:-/var/tmp/cfur}"
readonly WORK_DIR
readonly BASE_REPO="${WORK_DIR}/linux"
readonly BASE_TAG="cfur-base"
# The debug kernel's own tree (tooling/build-kernel.sh --debug).
readonly DEBUG_TREE="${WORK_DIR}/linux-debug"
readonly PERF_TREE="${WORK_DIR}/linux-perf"
readonly SERIES_BRANCH="cfur-series"

# The scripts are entry points. Run from `make test`, they would inherit the
# parent make's MAKELEVEL and MAKEFLAGS, and the selftests' lib.mk then
# expects the kselftest framework to pass OUTPUT, and builds into "/".
unset MAKELEVEL MAKEFLAGS MFLAGS MAKEOVERRIDES

# The tests the project runs in test_progs and the thin runner (-t): the
# build tree's test_progs holds these only (tooling/build-kernel.sh).
readonly SELFTESTS_PATTERN="copy_from_user_remote"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need_cmd() {
	local cmd="$1" pkg="${2:-$1}"
	command -v "$cmd" >/dev/null 2>&1 ||
		die "'$cmd' not found; install it with: apt-get install $pkg (or run: make setup)"
}

# What a kernel tree's config means for cost figures.
kernel_kind() {
	if grep -q '^CONFIG_PROVE_LOCKING=y' "$1/.config" 2>/dev/null; then
		echo "lockdep on: tooling/config.lean; costs of lock-heavy paths are inflated"
	else
		echo "no lock debugging: tooling/config.perf"
	fi
}

# pystack needs Debian's python3.11 and the DWARF of that very build.
need_python_dbg() {
	local id
	[[ -x /usr/bin/python3.11 ]] || die "/usr/bin/python3.11 not found; install it with: apt-get install python3.11 python3.11-dbg (or run: make setup)"
	id="$(LC_ALL=C readelf -n /usr/bin/python3.11 | sed -nE 's/.*Build ID: ([0-9a-f]+)/\1/p')"
	[[ -r "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]] ||
		die "no debug information for /usr/bin/python3.11 (build-id ${id:-none}); install python3.11-dbg of the same version as python3.11: apt-get install python3.11 python3.11-dbg (or run: make setup)"
}

# Git with settings that make generated diffs and commits independent of the
# user's configuration.
kgit() {
	git -c core.abbrev=12 -c diff.noprefix=false -c diff.mnemonicPrefix=false \
		-c diff.renames=false -c diff.algorithm=myers -c color.ui=never \
		-c core.quotepath=false -c commit.gpgsign=false -c format.signoff=false \
		"$@"
}

# Prints "Name <email>" or fails with a clear message.
git_identity() {
	local name email
	name="$(git config user.name || true)"
	email="$(git config user.email || true)"
	[[ -n "$name" && -n "$email" ]] ||
		die "no git identity: run git config --global user.name 'Your Name' and git config --global user.email you@example.org (patches are authored and signed off with it)"
	printf '%s <%s>\n' "$name" "$email"
}

# "6.12.117" for a kernel tree, or empty if it is not one.
tree_version() {
	local mk="$1/Makefile"
	[[ -f "$mk" ]] || return 0
	awk -F' = ' '/^VERSION =/{v=$2} /^PATCHLEVEL =/{p=$2} /^SUBLEVEL =/{s=$2}
		/^EXTRAVERSION/{exit} END{if (v != "") printf "%s.%s.%s\n", v, p, s}' "$mk"
}

check_tree_version() {
	local tree="$1" v
	v="$(tree_version "$tree")"
	[[ -n "$v" ]] || die "$tree is not a kernel source tree (no top-level Makefile with VERSION)"
	[[ "$v" == "${KERNEL_VERSION}" || "$v" == "${KERNEL_VERSION}".* ]] ||
		die "$tree is Linux $v, but this overlay is written against Linux ${KERNEL_VERSION} (install ${KERNEL_PACKAGE})"
}

nproc_jobs() { nproc 2>/dev/null || echo 2; }

# bzimage_version_at IMAGE: the file offset of the version string kbuild
# writes into a bzImage's setup header ("6.12.117-g005053dc97f2 (root@vm)
# #13 SMP ..."), through the header's kernel_version field; nothing for a
# file that is no bzImage.
bzimage_version_at() {
	local off
	[[ "$(dd if="$1" bs=1 skip=$((0x202)) count=4 status=none)" == HdrS ]] || return 0
	off="$(od -An -tu2 -j $((0x20e)) -N2 "$1" | tr -d ' ')"
	if [[ "$off" -gt 0 ]]; then
		echo $((off + 0x200))
	fi
}

# kmake TREE ARG...: make in a kernel tree through ccache's masquerade
# directory (so the compiler command lines kbuild records are plain "gcc",
# whoever runs make later). Not in depend mode: that mode never sees a
# file pulled in by .incbin, and served the piggy.o of an earlier build
# (another kernel's compressed payload, of the same size) to a new bzImage,
# which then booted the old kernel. Direct mode finds the .incbin when it
# preprocesses and leaves such files uncached. The namespace keeps the
# depend-mode entries of earlier builds out of reach.
kmake() {
	local tree="$1"
	shift
	CCACHE_NODEPEND=1 CCACHE_DIRECT=1 CCACHE_NAMESPACE=cfur-direct PATH="/usr/lib/ccache:$PATH" \
		make -C "$tree" -j"$(nproc_jobs)" "$@"
}

# The build directory of one of the repo's C++ tools (runner, demo, bench,
# reliability): $WORK_DIR/<tool>.
tool_out() { printf '%s/%s\n' "$WORK_DIR" "$1"; }

# build_tools LOG TOOL...: builds each tool against the build tree into
# tool_out TOOL. On failure shows the end of LOG, says which tool failed and
# returns 1.
build_tools() {
	local logf="$1" tool
	shift
	: >"$logf"
	for tool in "$@"; do
		make -s -C "$REPO_ROOT/$tool" KERNEL="$BASE_REPO" BPF_OUT="$WORK_DIR/bpf" OUT="$(tool_out "$tool")" \
			>>"$logf" 2>&1 && continue
		tail -n 20 "$logf" >&2
		printf 'error: building %s failed; log: %s\n' "$tool" "$logf" >&2
		return 1
	done
}

# series_selftests GIT_GREP_ARG...: git grep, with those arguments, for the
# test functions SELFTESTS_PATTERN selects in the series' prog_tests
# ("void test_NAME(void)", serial_ too).
series_selftests() {
	kgit -C "$BASE_REPO" grep "$@" -E "^void (serial_)?test_[a-z0-9_]*${SELFTESTS_PATTERN}[a-z0-9_]*\\(void\\)" \
		"$SERIES_BRANCH" -- 'tools/testing/selftests/bpf/prog_tests/*.c'
}

need_series_branch() {
	kgit -C "$BASE_REPO" rev-parse -q --verify "refs/heads/$SERIES_BRANCH" >/dev/null ||
		die "no branch $SERIES_BRANCH in $BASE_REPO: run make series first"
}

# sync_full_tree TREE: a worktree of its own at the series tip, every file
# checked out (the debug and perf variants, so that configurations never
# rebuild each other's objects; make vmtest-upstream's whole test_progs).
sync_full_tree() {
	local tree="$1"
	need_series_branch
	if [[ ! -d "$tree" ]]; then
		log "creating the tree $tree"
		add_full_worktree "$tree" "$SERIES_BRANCH"
	else
		kgit -C "$tree" checkout -q -f --detach "$SERIES_BRANCH"
	fi
}

# Adds a full (non-sparse) worktree of the base repository at PATH, detached
# at REV. git copies the build tree's sparse checkout into new worktrees;
# this one must hold every file.
add_full_worktree() {
	local path="$1" rev="$2"
	kgit -C "$BASE_REPO" worktree add -q --detach "$path" "$rev"
	kgit -C "$path" sparse-checkout disable 2>/dev/null || true
	[[ -z "$(kgit -C "$path" ls-files --deleted | head -n1)" ]] ||
		die "worktree $path is missing files after checkout"
}

# lock_builds: waits until no other build of this work directory runs, then
# holds its lock until this process and its children are gone. Two kernel
# builds in one tree (say make test and make pystack-demo at once) would
# corrupt each other; nested calls from a holder pass straight through.
lock_builds() {
	local fd
	[[ -z "${CFUR_BUILD_LOCK_HELD:-}" ]] || return 0
	mkdir -p "$WORK_DIR"
	exec {fd}>"$WORK_DIR/build.lock"
	if ! flock -n "$fd"; then
		log "waiting for another build in $WORK_DIR to finish (lock: $WORK_DIR/build.lock)"
		flock "$fd"
	fi
	export CFUR_BUILD_LOCK_HELD=1
}

# pystack's make targets. build_pystack_kernel BUILD_KERNEL_ARG...: the
# patched kernel (tooling/build-kernel.sh with these arguments) and pystack.
build_pystack_kernel() {
	need_python_dbg
	"$REPO_ROOT/tooling/build-kernel.sh" "$@"
	log "building pystack"
	build_tools "$WORK_DIR/pystack-build.log" pystack || exit 1
}

# pystack_vm TREE OUT_DIR TIMEOUT GUEST_SCRIPT ARG...: boots TREE's kernel
# with OUT_DIR writable, and runs vm/GUEST_SCRIPT PYSTACK TARGET_DIR
# OUT_DIR ARG... there.
pystack_vm() {
	local tree="$1" out="$2" timeout="$3" script="$4"
	shift 4
	"$REPO_ROOT/vm/run.sh" --kernel "$tree/arch/x86/boot/bzImage" --timeout "$timeout" --share "$out" -- \
		"$REPO_ROOT/vm/$script" "$(tool_out pystack)/pystack" "$REPO_ROOT/pystack/target" "$out" "$@"
}

# payload_is_fresh TREE: the compressed kernel in the image's piggy.o is the
# vmlinux.bin.* this build made (piggy.S pulls it in with .incbin).
payload_is_fresh() {
	local dir="$1/arch/x86/boot/compressed" payload got rc=0
	payload="$(sed -n 's/^\.incbin "\(.*\)"$/\1/p' "$dir/piggy.S")"
	got="$(mktemp)"
	objcopy -O binary --only-section=.rodata..compressed "$dir/piggy.o" "$got"
	cmp -s "$got" "$1/$payload" || rc=1
	rm -f "$got"
	return "$rc"
}
