#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds a rootfs tarball for tools/testing/selftests/bpf/vmtest.sh -l, from
# Debian's packages only (debootstrap), in the layout of the BPF CI's image:
# busybox init, /etc/inittab -> /etc/init.d/rcS -> /etc/rcS.d/S*, where
# vmtest.sh adds S50-startup.
#
# Usage: tooling/mkrootfs.sh [OUT.tar.zst]   (default: $CFUR_WORK/rootfs.tar.zst)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly SUITE="bookworm"
# What test_progs and the CI image need at run time.
readonly PACKAGES=busybox,bash,coreutils,libelf1,zlib1g,libzstd1,libstdc++6,libgcc-s1,libcap2,iproute2,iptables,ethtool,keyutils,strace,binutils,openssl,libssl3,kmod,procps
readonly FILES="$REPO_ROOT/vm/rootfs"

mirror() {
	local uri
	uri="$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		awk '{print $2}' | grep -v security | head -n1)"
	printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

STAGING=""
cleanup() { [[ -z "$STAGING" ]] || rm -rf "$STAGING"; }

main() {
	local out="${1:-$WORK_DIR/rootfs.tar.zst}" dir
	[[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
	need_cmd debootstrap debootstrap
	need_cmd zstd zstd
	dir="$(mktemp -d "$WORK_DIR/rootfs.XXXXXX")"
	STAGING="$dir"
	trap cleanup EXIT
	log "debootstrap $SUITE (minbase + test_progs' runtime) from $(mirror) (a few minutes)"
	debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$dir" "$(mirror)" \
		>"$WORK_DIR/rootfs-debootstrap.log" 2>&1 ||
		{ tail -n 20 "$WORK_DIR/rootfs-debootstrap.log" >&2; die "debootstrap failed; log: $WORK_DIR/rootfs-debootstrap.log"; }

	# busybox init and the applets vmtest.sh's init script calls.
	for applet in init poweroff reboot halt; do
		ln -sf /bin/busybox "$dir/sbin/$applet"
	done
	install -D -m 644 "$FILES/inittab" "$dir/etc/inittab"
	install -D -m 755 "$FILES/rcS" "$dir/etc/init.d/rcS"
	install -D -m 755 "$FILES/S10-mount" "$dir/etc/rcS.d/S10-mount"
	printf 'vmtest\n' >"$dir/etc/hostname"
	rm -rf "$dir/var/cache/apt/archives"/*.deb "$dir/var/lib/apt/lists"/*

	log "writing $out"
	tar -C "$dir" --numeric-owner -cf - . | zstd -q -19 -T0 -o "$out" -f
	log "rootfs: $out ($(du -h "$out" | cut -f1))"
}

main "$@"
