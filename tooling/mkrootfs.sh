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

# The mirror this machine's apt is configured with for SUITE: the network a
# user allows is the one apt already uses. apt-get indextargets reports the
# sources of every apt configuration file, one-line and deb822 alike.
mirror() {
	local uri
	# shellcheck disable=SC2016 # $(RELEASE) is apt-get's field syntax, not the shell's
	uri="$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
		awk -v suite="$SUITE" '$1 == suite { print $2; exit }')"
	[[ -n "$uri" ]] ||
		die "no apt source for Debian $SUITE in this machine's apt configuration (looked at what apt-get indextargets reports from /etc/apt/sources.list and /etc/apt/sources.list.d/*.list, *.sources); add a '$SUITE' source with your mirror there, then run: apt-get update"
	printf '%s\n' "$uri"
}

STAGING=""
cleanup() { [[ -z "$STAGING" ]] || rm -rf "$STAGING"; }

main() {
	local out="${1:-$WORK_DIR/rootfs.tar.zst}" dir uri
	[[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
	need_cmd debootstrap debootstrap
	need_cmd zstd zstd
	uri="$(mirror)"
	dir="$(mktemp -d "$WORK_DIR/rootfs.XXXXXX")"
	STAGING="$dir"
	trap cleanup EXIT
	log "debootstrap $SUITE (minbase + test_progs' runtime) from $uri (a few minutes)"
	debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$dir" "$uri" \
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
