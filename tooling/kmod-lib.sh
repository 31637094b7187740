# SPDX-License-Identifier: GPL-2.0
# Shared by the module's scripts (tooling/kmod-*.sh, vm/run-stock.sh,
# tests/kmod.sh): which stock kernel, and where its pieces and the module's
# builds live. Source it; do not run it.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants are for the scripts that source it
# tests/lib.sh may have sourced lib.sh already (its constants are readonly).
declare -p KERNEL_VERSION >/dev/null 2>&1 || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The module's builds live outside the repo and apart from the project's
# work directory.
KMOD_WORK="${CFUR_KMOD_WORK:-/var/tmp/cfur-kmod}"
readonly KMOD_WORK
# Debian 12's kernel ABI the module is built and tested for ("6.1.0-57",
# whose packages are linux-image-6.1.0-57-amd64-unsigned and
# linux-headers-6.1.0-57-amd64). CFUR_KMOD_ABI overrides; when the default is
# gone from the registry, kmod_abi picks the newest 6.1 ABI it offers.
readonly KMOD_ABI_DEFAULT="6.1.0-57"
readonly KMOD_SRC_61="$KMOD_WORK/linux-source-6.1"
readonly KMOD_SRC_61_TARBALL="/usr/src/linux-source-6.1.tar.xz"
# libbpf and bpftool for the tests and the tools: from the project's 6.12
# tree with the series applied (make series; no kernel build needed), as
# mk/bpf.mk builds them, into the module's work directory, with the stock
# kernel's vmlinux.h: the tools' BPF programs are compiled for the kernel
# they run on.
readonly KMOD_BPF_KERNEL="${CFUR_KMOD_BPF_KERNEL:-$BASE_REPO}"
readonly KMOD_BPF_OUT="${CFUR_KMOD_BPF_OUT:-$KMOD_WORK/bpf-series}"
readonly KMOD_TESTS_OUT="$KMOD_WORK/tests"
# The project's tools that use the kfunc (pystack, cfur-fuzz and cfur-leak,
# cfur-bench, the demo), built as above: KMOD_TOOLS_OUT/<tool>.
readonly KMOD_TOOLS_OUT="$KMOD_WORK/tools"
readonly KMOD_TOOLS=(reliability pystack bench demo)
readonly KMOD_NAME="copy_from_user_pid"

# kmod_abi: the ABI to use, e.g. 6.1.0-57 (see KMOD_ABI_DEFAULT).
kmod_abi() {
	local newest
	if [[ -n "${CFUR_KMOD_ABI:-}" ]]; then
		echo "$CFUR_KMOD_ABI"
		return
	fi
	if dpkg-query -W -f='${Status}\n' "linux-image-${KMOD_ABI_DEFAULT}-amd64-unsigned" 2>/dev/null |
		grep -q '^install ok installed$' ||
		apt-cache show "linux-image-${KMOD_ABI_DEFAULT}-amd64-unsigned" >/dev/null 2>&1; then
		echo "$KMOD_ABI_DEFAULT"
		return
	fi
	newest="$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' 2>/dev/null |
		sed -nE 's/^linux-image-(6\.1\.0-[0-9]+)-amd64-unsigned .*/\1/p' | sort -V | tail -n1)"
	[[ -n "$newest" ]] ||
		die "no linux-image-6.1.0-N-amd64-unsigned in the package registry (apt-get update first; is this Debian 12?)"
	warn "linux-image-${KMOD_ABI_DEFAULT}-amd64-unsigned is gone from the registry; using the newest 6.1 ABI, $newest"
	echo "$newest"
}

# kmod_paths ABI: sets the paths of that stock kernel and of the module's
# builds for it.
kmod_paths() {
	KMOD_ABI="$1"
	KMOD_KREL="${KMOD_ABI}-amd64"
	KMOD_VMLINUZ="/boot/vmlinuz-$KMOD_KREL"
	KMOD_MODDIR="/lib/modules/$KMOD_KREL"
	KMOD_HEADERS="/usr/src/linux-headers-$KMOD_KREL"
	# The vmlinux inside the vmlinuz: its .BTF is the base of the module's.
	KMOD_VMLINUX="$KMOD_WORK/vmlinux-$KMOD_KREL"
	# The headers with vmlinux and resolve_btfids added, which kbuild
	# needs to give a module BTF; and the same without vmlinux.
	KMOD_TREE="$KMOD_WORK/build-tree-$KMOD_KREL"
	KMOD_TREE_NOBTF="$KMOD_WORK/build-tree-$KMOD_KREL-nobtf"
	KMOD_OUT="$KMOD_WORK/mod-$KMOD_KREL"
	KMOD_OUT_NOBTF="$KMOD_WORK/mod-$KMOD_KREL-nobtf"
	# Built against the headers package itself, as dkms does: kmod/Makefile
	# makes the BTF (pahole, scripts/resolve_btfids.py).
	KMOD_OUT_HEADERS="$KMOD_WORK/mod-$KMOD_KREL-headers"
	KMOD_MUTANTS="$KMOD_WORK/mutants-$KMOD_KREL"
	KMOD_INITRD="$KMOD_WORK/initramfs-$KMOD_KREL.cpio.gz"
}
