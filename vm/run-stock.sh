#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots Debian 12's stock kernel (the vmlinuz of linux-image-<abi>-amd64-
# unsigned) under QEMU with the host's root shared read-only over 9p, runs
# one command in it and exits with the command's status; vm/run.sh's
# counterpart for a kernel whose virtio and 9p drivers are modules. An
# initramfs (tooling/kmod-build.sh) loads them, mounts the root and hands
# over to vm/guest-init.sh, as with the patched kernel. A VM that does not
# boot or does not finish is a failure (exit 125), never a pass.
#
# Usage: vm/run-stock.sh [--kernel VMLINUZ] [--initrd INITRD] [--cwd DIR]
#                        [--timeout S] [--log FILE] [--share DIR]... -- CMD [ARG...]
# Defaults: the ABI tooling/kmod-build.sh builds for, its vmlinuz in /boot
# and its initramfs in $CFUR_KMOD_WORK. The guest's console goes to --log
# (default $CFUR_KMOD_WORK/vm-console.log); the terminal gets one line for
# the boot, then what the command prints; V=1 shows the whole console.
# --share DIR: the host directory DIR is writable in the guest, at the same
# path. Always TCG, 2 CPUs, 2 GiB, QEMU at nice 15: where /dev/kvm exists
# on these machines it is PVM, which boots no stock kernel (README.md, "The
# VM").
set -euo pipefail
source "$(dirname "$0")/../tooling/kmod-lib.sh"

# Debian's kernel under TCG reaches init in about 5 s on an idle machine;
# a loaded 2-core machine is slower. A boot that fails is still told.
readonly BOOT_SECONDS=300
readonly VM_FAILED=125

kmod_paths "$(kmod_abi)"
KERNEL="$KMOD_VMLINUZ"
INITRD="$KMOD_INITRD"
CWD="/"
TIMEOUT=1800
LOG="$KMOD_WORK/vm-console.log"
SHARES=()
VERBOSE="${V:-0}"
RUN=""
TAIL_PID=""
QEMU_PID=""

usage() { die "usage: vm/run-stock.sh [--kernel VMLINUZ] [--initrd INITRD] [--cwd DIR] [--timeout S] [--log FILE] [--share DIR]... -- CMD..."; }

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--kernel) KERNEL="$2"; shift 2 ;;
		--initrd) INITRD="$2"; shift 2 ;;
		--cwd) CWD="$2"; shift 2 ;;
		--timeout) TIMEOUT="$2"; shift 2 ;;
		--log) LOG="$2"; shift 2 ;;
		--share) SHARES+=("$(realpath -m "$2")"); shift 2 ;;
		--) shift; break ;;
		*) usage ;;
		esac
	done
	[[ $# -gt 0 ]] || usage
	CMD=("$@")
	[[ -f "$KERNEL" ]] || die "no kernel image at $KERNEL (apt-get install linux-image-$KMOD_KREL-unsigned, or run: tooling/kmod-build.sh)"
	[[ -f "$INITRD" ]] || die "no initramfs at $INITRD (run: tooling/kmod-build.sh)"
	[[ -d "$CWD" ]] || die "--cwd $CWD: no such directory"
	local d
	for d in "${SHARES[@]}"; do
		[[ -d "$d" ]] || die "--share $d: no such directory"
	done
	need_cmd qemu-system-x86_64 qemu-system-x86
}

# qemu_start RUNDIR: starts QEMU in the background, console to a file.
qemu_start() {
	local run="$1" shares=() i
	for i in "${!SHARES[@]}"; do
		shares+=(-virtfs "local,id=share$i,path=${SHARES[$i]},mount_tag=share$i,security_model=none,multidevs=remap")
	done
	: >"$run/console"
	nice -n 15 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G -nodefaults -no-reboot \
		-display none -monitor none -serial "file:$run/console" \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 panic=-1 oops=panic tsc=reliable cfur.init=$REPO_ROOT/vm/guest-init.sh cfur.accel=tcg" \
		-virtfs "local,id=root,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,id=work,path=$run,mount_tag=work,security_model=none,multidevs=remap" \
		"${shares[@]}" \
		</dev/null >"$run/qemu.out" 2>&1 &
	QEMU_PID=$!
}

qemu_stop() {
	kill "$QEMU_PID" 2>/dev/null || true
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID="" # reaped: its pid may be another process's now
}

console_stop() {
	[[ -z "$QEMU_PID" ]] || qemu_stop
	[[ -z "$TAIL_PID" ]] || kill "$TAIL_PID" 2>/dev/null || true
	TAIL_PID=""
}

# shellcheck disable=SC2317 # the EXIT trap calls it
stop_all() {
	console_stop
	[[ -n "$RUN" && -d "$RUN" ]] || return 0
	cp "$RUN/console" "$LOG" 2>/dev/null || true
	rm -rf "$RUN"
}

# Waits up to S seconds for PATTERN on the console; fails if QEMU exits.
wait_console() {
	local run="$1" pattern="$2" seconds="$3" i
	for ((i = 0; i < seconds * 2; i++)); do
		grep -q "$pattern" "$run/console" 2>/dev/null && return 0
		kill -0 "$QEMU_PID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# vm/guest-init.sh binds host paths under /tmp back over its tmpfs.
write_binds() {
	local run="$1" path i
	: >"$run/binds"
	for path in "$REPO_ROOT" "$KMOD_WORK" "$(cd "$CWD" && pwd -P)"; do
		path="$(realpath -m "$path")"
		[[ "$path" == /tmp/* ]] && printf '%s\n' "$path" >>"$run/binds"
	done
	sort -u -o "$run/binds" "$run/binds"
	: >"$run/shares"
	for i in "${!SHARES[@]}"; do
		printf 'share%s %s\n' "$i" "${SHARES[$i]}" >>"$run/shares"
	done
}

failed_boot() {
	console_stop
	if [[ "$VERBOSE" != 1 ]]; then
		echo "---- the console's last lines ----" >&2
		tail -n 30 "$RUN/console" >&2 || true
		echo "----" >&2
	fi
	tail -n 5 "$RUN/qemu.out" >&2 || true
	echo "error: $1 (tcg); console: $LOG" >&2
	exit $VM_FAILED
}

# The version string in the image's setup header, e.g. "6.1.0-57-amd64
# (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3
# (...)"; the guest must run that kernel.
check_booted() {
	local release="$1" version="$2" at want
	at="$(bzimage_version_at "$KERNEL")"
	[[ -n "$at" ]] || return 0
	want="$(dd if="$KERNEL" iflag=skip_bytes,count_bytes skip="$at" count=512 status=none |
		tr '\0' '\n' | sed -n 1p)"
	[[ -z "$want" || "$want" == "$release "*" $version" ]] && return 0
	failed_boot "the guest runs Linux $release $version, but $KERNEL says it holds $want"
}

show_console() {
	local from=1
	if [[ "$VERBOSE" != 1 ]]; then
		from="$(grep -n -m1 'CFUR-GUEST-UP' "$RUN/console" | cut -d: -f1)"
		from=$((${from:-1} + 1))
	fi
	tail -n "+$from" -f --pid="$QEMU_PID" "$RUN/console" |
		awk -v all="$VERBOSE" 'all != 1 && /^CFUR-GUEST-DONE/ { exit } { print; fflush() }' &
	TAIL_PID=$!
}

main() {
	local start rc release
	parse_args "$@"
	trap 'stop_all' EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$KMOD_WORK"
	RUN="$(mktemp -d "$KMOD_WORK/vm-run.XXXXXX")"
	printf '%q ' "${CMD[@]}" >"$RUN/cmd"
	printf '%s\n' "$(cd "$CWD" && pwd)" >"$RUN/cwd"
	write_binds "$RUN"
	start=$(date +%s)

	qemu_start "$RUN"
	[[ "$VERBOSE" != 1 ]] || show_console
	wait_console "$RUN" 'CFUR-GUEST-UP' "$BOOT_SECONDS" ||
		failed_boot "the VM did not reach its init within $BOOT_SECONDS s"
	[[ -s "$RUN/uname" ]] || failed_boot "the guest did not say which kernel it runs ($RUN/uname)"
	release="$(sed -n 1p "$RUN/uname")"
	check_booted "$release" "$(sed -n 2p "$RUN/uname")"
	if [[ "$VERBOSE" != 1 ]]; then
		log "VM: booted Linux $release under tcg in $(($(date +%s) - start)) s (KVM is not tried: see vm/run-stock.sh); console: $LOG (V=1 shows it)"
		show_console
	fi
	wait_console "$RUN" 'CFUR-GUEST-DONE' "$TIMEOUT" ||
		failed_boot "the command did not finish in the VM within $TIMEOUT s"
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.5; done
	qemu_stop
	wait "$TAIL_PID" 2>/dev/null || true
	TAIL_PID=""
	[[ -f "$RUN/status" ]] || failed_boot "the VM finished without a status"
	rc="$(cat "$RUN/status")"
	log "VM: tcg, $(($(date +%s) - start)) s, guest command exit $rc"
	exit "$rc"
}

main "$@"
