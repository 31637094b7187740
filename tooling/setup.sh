#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs, from Debian's packages, everything the project builds and tests
# with. Idempotent: packages already present are not fetched again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly PACKAGES=(
	# the kernel source this overlay is written against
	"$KERNEL_PACKAGE"
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod
	rsync xz-utils zstd ccache python3
	# static checks: checkpatch --codespell, sparse (C=1); the project's own
	# code: shellcheck, and the clang-format tooling/style.sh pins
	codespell python3-ply python3-git sparse perl shellcheck clang-format-14
	# BPF programs, libbpf, bpftool, test_progs
	clang-19 llvm-19 lld-19 libcap-dev zlib1g-dev libzstd-dev pkg-config
	python3-docutils
	# the VM
	qemu-system-x86 busybox-static
	# upstream vmtest.sh with a local rootfs
	debootstrap sudo e2fsprogs
	# C++ tools
	g++ cmake libgtest-dev
	# the benchmark's chart
	gnuplot-nox
	# pystack: the interpreter it samples, that build's DWARF (its layout
	# table is generated from it), libdw, strace to count a sample's system
	# calls, and the libraries for its command line, speedscope JSON and
	# pprof (protobuf, gzip'd)
	python3.11 python3.11-dbg libdw-dev strace libcli11-dev nlohmann-json3-dev
	libprotobuf-dev protobuf-compiler
	# the tools pystack's outputs are loaded back into (tests/pystack-tools.sh):
	# go tool pprof, flamegraph.pl, xmllint (speedscope's importer comes from
	# npm, with the node already here)
	golang-go libdevel-nytprof-perl libxml2-utils
	# perf, for where a pystack walker's time goes (make pystack-profile)
	linux-perf
	# the series: git format-patch, and git send-email --dry-run in make check
	git git-email libmailtools-perl
	# the kfunc module (kmod/) on Debian 12's stock kernel: its source for
	# resolve_btfids, gcc-12 (that kernel's compiler), dkms for kmod/dkms.conf.
	# The image and headers of the current ABI (linux-image-6.1.0-N-amd64-
	# unsigned, linux-headers-6.1.0-N-amd64) are installed by
	# tooling/kmod-build.sh, which picks N.
	linux-source-6.1 gcc-12 dkms
)

missing_packages() {
	local pkg
	for pkg in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s\n' "$pkg"
	done
}

main() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [[ ${#missing[@]} -eq 0 ]]; then
		log "all ${#PACKAGES[@]} packages are installed"
		return 0
	fi
	[[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}"
	log "installing ${#missing[@]} packages: ${missing[*]}"
	apt-get update -qq || die "apt-get update failed (is Debian's package registry reachable?)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]}"
	log "installed: ${missing[*]}"
}

main "$@"
