#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots a kernel under QEMU with the host's root shared read-only over 9p,
# runs one command in it and exits with the command's status. KVM is probed
# first with a short timeout (not where /dev/kvm is PVM); the run falls back
# to TCG. A VM that does not
# boot or does not finish is a failure (exit 125), never a pass.
#
# Usage: vm/run.sh [--kernel BZIMAGE] [--cwd DIR] [--timeout S] [--accel auto|kvm|tcg]
#                  [--log FILE] [--share DIR]... -- CMD [ARG...]
# The guest's console goes to --log (default $CFUR_WORK/vm-console.log); the
# terminal gets one line for the boot, then what the command prints. With
# V=1 in the environment, the whole console is shown as well.
# --share DIR: the host directory DIR is writable in the guest, at the same
# path (the rest of the host's root is read-only there).
# The guest's kernel command line carries cfur.accel=kvm|tcg.
set -euo pipefail
source "$(dirname "$0")/../tooling/lib.sh"

readonly KVM_PROBE_SECONDS=15
# The debug kernel under TCG on a loaded 2-core machine has taken over 120 s
# to reach init; a boot that fails is still told, only later.
readonly BOOT_SECONDS=300
readonly VM_FAILED=125

KERNEL="$BASE_REPO/arch/x86/boot/bzImage"
CWD="/"
TIMEOUT=1800
ACCEL="${CFUR_ACCEL:-auto}"
LOG="$WORK_DIR/vm-console.log"
SHARES=()
# V=1 (make ... V=1) shows the guest's whole console as it boots.
VERBOSE="${V:-0}"
RUN=""
TAIL_PID=""
QEMU_PID=""

usage() { die "usage: vm/run.sh [--kernel BZIMAGE] [--cwd DIR] [--timeout S] [--accel auto|kvm|tcg] [--log FILE] [--share DIR]... -- CMD..."; }

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--kernel) KERNEL="$2"; shift 2 ;;
		--cwd) CWD="$2"; shift 2 ;;
		--timeout) TIMEOUT="$2"; shift 2 ;;
		--accel) ACCEL="$2"; shift 2 ;;
		--log) LOG="$2"; shift 2 ;;
		--share) SHARES+=("$(realpath -m "$2")"); shift 2 ;;
		--) shift; break ;;
		*) usage ;;
		esac
	done
	[[ $# -gt 0 ]] || usage
	CMD=("$@")
	[[ -f "$KERNEL" ]] || die "no kernel image at $KERNEL (run: make kernel)"
	[[ -d "$CWD" ]] || die "--cwd $CWD: no such directory"
	[[ "$ACCEL" =~ ^(auto|kvm|tcg)$ ]] || die "--accel must be auto, kvm or tcg"
	local d
	for d in "${SHARES[@]}"; do
		[[ -d "$d" ]] || die "--share $d: no such directory"
	done
	need_cmd qemu-system-x86_64 qemu-system-x86
}

# qemu_start ACCEL RUNDIR: starts QEMU in the background, console to a file.
qemu_start() {
	local accel="$1" run="$2" cpu shares=() i
	for i in "${!SHARES[@]}"; do
		shares+=(-virtfs "local,id=share$i,path=${SHARES[$i]},mount_tag=share$i,security_model=none,multidevs=remap")
	done
	if [[ "$accel" == kvm ]]; then
		cpu=(-accel kvm -cpu 'host,-arch-capabilities')
	else
		cpu=(-accel tcg -cpu max)
	fi
	: >"$run/console"
	qemu-system-x86_64 "${cpu[@]}" -smp 2 -m 4G -nodefaults -no-reboot \
		-display none -monitor none -serial "file:$run/console" \
		-kernel "$KERNEL" \
		-append "console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,cache=mmap,msize=1048576 ro init=$REPO_ROOT/vm/guest-init.sh panic=-1 oops=panic cfur.accel=$accel" \
		-virtfs "local,id=root,path=/,mount_tag=/dev/root,security_model=none,readonly=on,multidevs=remap" \
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

# console_stop: QEMU and the console's tail stopped, so the console is whole.
console_stop() {
	[[ -z "$QEMU_PID" ]] || qemu_stop
	[[ -z "$TAIL_PID" ]] || kill "$TAIL_PID" 2>/dev/null || true
	TAIL_PID=""
}

# stop_all, on every exit (the EXIT trap): the console kept in the log, the
# run directory gone.
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

# kvm_pvm serves /dev/kvm on some hosts: PVM, a paravirtual hypervisor that
# runs only guest kernels built as PVM guests. A stock kernel stops there
# after "Decompressing Linux...".
kvm_is_pvm() {
	[[ -d /sys/module/kvm_pvm ]]
}

# Starts the VM, preferring KVM when it works. Sets ACCEL_USED and WHY.
boot() {
	local run="$1" said
	ACCEL_USED=tcg
	WHY="forced by --accel tcg"
	if [[ "$ACCEL" != tcg ]]; then
		if [[ ! -e /dev/kvm ]]; then
			WHY="no /dev/kvm on this machine"
		elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
			WHY="/dev/kvm is not readable and writable by $(id -un)"
		elif kvm_is_pvm; then
			WHY="/dev/kvm is PVM (module kvm_pvm), which boots only PVM guest kernels, not this one"
		else
			qemu_start kvm "$run"
			if wait_console "$run" 'Linux version' "$KVM_PROBE_SECONDS"; then
				ACCEL_USED=kvm
				WHY="KVM guest printed its banner"
				return 0
			fi
			said="$(tail -c 200 "$run/qemu.out" "$run/console" 2>/dev/null | tr -s '\n' ' ' | cut -c1-120)"
			WHY="KVM guest printed no kernel banner within ${KVM_PROBE_SECONDS} s (${said:-QEMU and the console printed nothing})"
			qemu_stop
		fi
		[[ "$ACCEL" != kvm ]] || die "KVM requested but unusable: $WHY"
	fi
	qemu_start tcg "$run"
}

# The guest mounts a tmpfs on /tmp; host paths under /tmp that the command
# may use are bound back by the guest's init.
write_binds() {
	local run="$1" path i
	: >"$run/binds"
	for path in "$REPO_ROOT" "$WORK_DIR" "$(cd "$CWD" && pwd -P)"; do
		path="$(realpath -m "$path")"
		[[ "$path" == /tmp/* ]] && printf '%s\n' "$path" >>"$run/binds"
	done
	sort -u -o "$run/binds" "$run/binds"
	: >"$run/shares"
	for i in "${!SHARES[@]}"; do
		printf 'share%s %s\n' "$i" "${SHARES[$i]}" >>"$run/shares"
	done
}

# failed_boot WHAT: says what did not happen, with the console's end and
# where the whole of it is.
failed_boot() {
	console_stop
	if [[ "$VERBOSE" != 1 ]]; then
		echo "---- the console's last lines ----" >&2
		tail -n 30 "$RUN/console" >&2 || true
		echo "----" >&2
	fi
	tail -n 5 "$RUN/qemu.out" >&2 || true
	echo "error: $1 ($ACCEL_USED); console: $LOG" >&2
	exit $VM_FAILED
}

# image_version: the version string in the image's setup header; empty for
# an image with no such header.
image_version() {
	local at
	at="$(bzimage_version_at "$KERNEL")"
	[[ -n "$at" ]] || return 0
	dd if="$KERNEL" iflag=skip_bytes,count_bytes skip="$at" count=512 status=none |
		tr '\0' '\n' | sed -n 1p
}

# check_booted RELEASE VERSION: the guest (uname -r, uname -v, which it
# writes to the work share) runs the kernel in the image it was given. They
# differ when the compressed kernel inside is not the vmlinux the image was
# built with (a piggy.o served stale by a compiler cache): the tests would
# then judge another kernel.
check_booted() {
	local release="$1" version="$2" want
	want="$(image_version)"
	# The header is UTS_RELEASE " (user@host) " UTS_VERSION
	# (arch/x86/boot/version.c), with UTS_VERSION cut at 64 characters as
	# uname -v is (init/Makefile).
	[[ -z "$want" || "$want" == "$release "*" $version" ]] && return 0
	failed_boot "the guest runs Linux $release $version, but $KERNEL says it holds $want: its compressed kernel is not the one it was built with (a stale arch/x86/boot/compressed/piggy.o; make kernel replaces it)"
}

# show_console: the console, from its start with V=1, else what the guest's
# command prints (the boot is one line of ours, the power-off none).
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
	# A run stopped from outside must not leave a TCG QEMU on both cores
	# for up to its timeout, slowing whatever runs next.
	trap 'stop_all' EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$WORK_DIR"
	RUN="$(mktemp -d "$WORK_DIR/vm-run.XXXXXX")"
	printf '%q ' "${CMD[@]}" >"$RUN/cmd"
	printf '%s\n' "$(cd "$CWD" && pwd)" >"$RUN/cwd"
	write_binds "$RUN"
	start=$(date +%s)

	boot "$RUN"
	printf '%s (%s)\n' "$ACCEL_USED" "$WHY" >"$WORK_DIR/vm-last-accel"
	if [[ "$VERBOSE" == 1 ]]; then
		log "VM: accelerator $ACCEL_USED ($WHY)"
		show_console
	fi
	wait_console "$RUN" 'CFUR-GUEST-UP' "$BOOT_SECONDS" ||
		failed_boot "the VM did not reach its init within $BOOT_SECONDS s"
	[[ -s "$RUN/uname" ]] || failed_boot "the guest did not say which kernel it runs ($RUN/uname)"
	release="$(sed -n 1p "$RUN/uname")"
	check_booted "$release" "$(sed -n 2p "$RUN/uname")"
	if [[ "$VERBOSE" != 1 ]]; then
		log "VM: booted Linux $release under $ACCEL_USED in $(($(date +%s) - start)) s ($WHY); console: $LOG (V=1 shows it)"
		show_console
	fi
	wait_console "$RUN" 'CFUR-GUEST-DONE' "$TIMEOUT" ||
		failed_boot "the command did not finish in the VM within $TIMEOUT s"
	# Give the guest a moment to power off by itself.
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.5; done
	qemu_stop
	wait "$TAIL_PID" 2>/dev/null || true
	TAIL_PID=""
	[[ -f "$RUN/status" ]] || failed_boot "the VM finished without a status"
	rc="$(cat "$RUN/status")"
	log "VM: $ACCEL_USED, $(($(date +%s) - start)) s, guest command exit $rc"
	exit "$rc"
}

main "$@"
