#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds what the module's tests need, for Debian 12's stock kernel, into
# $CFUR_KMOD_WORK (default /var/tmp/cfur-kmod); each step is skipped when
# its output is up to date:
#
#   - the packages: that kernel's image and headers, linux-source-6.1 (for
#     resolve_btfids), busybox-static and cpio (the initramfs), and the tools
#     the module and the tests build with;
#   - vmlinux, extracted from the image's vmlinuz: the base of the module's
#     BTF (Debian's headers package has no vmlinux);
#   - resolve_btfids, from linux-source-6.1 (the headers package has none:
#     without it kbuild cannot fill in the kfunc set's BTF ids);
#   - the build tree: a copy of the headers package with both added, and a
#     second one without vmlinux, for the module without BTF that must be
#     refused at insmod;
#   - copy_from_user_pid.ko (and the one without BTF, and one built against
#     the headers package itself, whose BTF kmod/Makefile makes, as for
#     dkms);
#   - libbpf and bpftool from the project's 6.12 tree (make series), and
#     kfunc-test and cfur-kmod-runner (kmod/tests);
#   - the project's tools that use the kfunc (KMOD_TOOLS: pystack, the
#     reliability tools, cfur-bench, the demo), their BPF programs
#     compiled against the stock kernel's vmlinux.h;
#   - the initramfs: busybox, vm/guest-kmod-init.sh as /init, the image's
#     virtio and 9p modules.
#
# Usage: tooling/kmod-build.sh [--print-abi | --tree TREE OUT]
#   --print-abi: only print the ABI it builds for (e.g. 6.1.0-57) and exit.
#   --tree TREE OUT: instead, for the kernel built in TREE (the patched
#   6.12: tests/vm.sh), the module into OUT/mod, and kfunc-test and
#   cfur-kmod-runner into OUT/tests, with the project's libbpf.
set -euo pipefail
source "$(dirname "$0")/kmod-lib.sh"

BUILD_LOG=""

# run_logged WHAT CMD...: CMD with its output in the build log; on failure,
# the log's end and what failed.
run_logged() {
	local what="$1"
	shift
	if ! nice -n 15 "$@" >>"$BUILD_LOG" 2>&1; then
		tail -n 30 "$BUILD_LOG" >&2
		die "$what failed; log: $BUILD_LOG"
	fi
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

install_packages() {
	local pkgs=(
		"linux-image-$KMOD_KREL-unsigned" "linux-headers-$KMOD_KREL"
		linux-source-6.1 "linux-source-$KERNEL_VERSION"
		busybox-static cpio gzip xz-utils kmod
		build-essential gcc-12 libelf-dev zlib1g-dev dwarves
		clang-19 llvm-19 libcap-dev libzstd-dev g++
		qemu-system-x86 e2fsprogs
	) missing=() pkg
	for pkg in "${pkgs[@]}"; do
		installed "$pkg" || missing+=("$pkg")
	done
	[[ ${#missing[@]} -gt 0 ]] || return 0
	[[ $(id -u) -eq 0 ]] || die "missing packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}"
	log "installing ${#missing[@]} packages: ${missing[*]}"
	apt-get update -qq || die "apt-get update failed (is Debian's package registry reachable?)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}" >>"$BUILD_LOG" 2>&1 ||
		die "apt-get install failed for: ${missing[*]} (log: $BUILD_LOG)"
}

# unpack TARBALL DIR: the kernel source in TARBALL at DIR, once.
unpack() {
	local tarball="$1" dir="$2" tmp
	[[ -f "$dir/Makefile" ]] && return 0
	[[ -f "$tarball" ]] || die "$tarball not found (apt-get install $(basename "$tarball" .tar.xz))"
	log "unpacking $tarball into $dir"
	tmp="$(mktemp -d "$KMOD_WORK/unpack.XXXXXX")"
	run_logged "unpacking $tarball" tar -C "$tmp" -xf "$tarball"
	mv "$tmp"/linux-source-* "$dir"
	rmdir "$tmp"
}

extract_vmlinux() {
	[[ -s "$KMOD_VMLINUX" && "$KMOD_VMLINUX" -nt "$KMOD_VMLINUZ" ]] && return 0
	log "extracting vmlinux from $KMOD_VMLINUZ"
	nice -n 15 "$KMOD_SRC_61/scripts/extract-vmlinux" "$KMOD_VMLINUZ" >"$KMOD_VMLINUX.tmp" ||
		die "scripts/extract-vmlinux found no kernel in $KMOD_VMLINUZ"
	readelf -S --wide "$KMOD_VMLINUX.tmp" | grep -q ' \.BTF ' ||
		die "the vmlinux in $KMOD_VMLINUZ has no .BTF section: this kernel lacks CONFIG_DEBUG_INFO_BTF, and a kfunc module cannot work there"
	mv "$KMOD_VMLINUX.tmp" "$KMOD_VMLINUX"
}

build_resolve_btfids() {
	local out="$KMOD_WORK/resolve_btfids-6.1"
	[[ -x "$out/resolve_btfids" ]] && return 0
	log "building resolve_btfids from $KMOD_SRC_61"
	mkdir -p "$out"
	run_logged "building resolve_btfids" make -s -C "$KMOD_SRC_61/tools/bpf/resolve_btfids" OUTPUT="$out/"
}

# make_tree DIR WITH_VMLINUX: the headers package's build tree, copied, with
# tools/bpf/resolve_btfids/resolve_btfids and (if WITH_VMLINUX is 1)
# vmlinux added where 6.1's scripts/Makefile.modfinal looks for them.
make_tree() {
	local dir="$1" with_vmlinux="$2" tmp
	[[ -f "$dir/Makefile" && "$dir/Makefile" -nt "$KMOD_HEADERS/Makefile" ]] && return 0
	[[ -f "$KMOD_HEADERS/Makefile" ]] || die "$KMOD_HEADERS not found (apt-get install linux-headers-$KMOD_KREL)"
	log "making the build tree $dir"
	tmp="$dir.tmp"
	rm -rf "$tmp"
	cp -a "$KMOD_HEADERS" "$tmp"
	# scripts and tools are relative symlinks into /usr/lib/linux-kbuild-6.1.
	ln -sfn "$(realpath "$KMOD_HEADERS/scripts")" "$tmp/scripts"
	rm -f "$tmp/tools"
	mkdir -p "$tmp/tools/bpf/resolve_btfids"
	ln -s "$(realpath "$KMOD_HEADERS/tools")/objtool" "$tmp/tools/objtool"
	cp "$KMOD_WORK/resolve_btfids-6.1/resolve_btfids" "$tmp/tools/bpf/resolve_btfids/"
	[[ "$with_vmlinux" != 1 ]] || ln -s "$KMOD_VMLINUX" "$tmp/vmlinux"
	touch "$tmp/Makefile"
	rm -rf "$dir"
	mv "$tmp" "$dir"
}

# build_module TREE OUT MAKE_ARG...: the module's sources copied to OUT
# (kbuild writes beside them) and built against TREE.
build_module() {
	local tree="$1" out="$2" f
	shift 2
	mkdir -p "$out/scripts"
	for f in "$KMOD_NAME.c" "$KMOD_NAME.h" Kbuild Makefile scripts/resolve_btfids.py; do
		cmp -s "$REPO_ROOT/kmod/$f" "$out/$f" || cp "$REPO_ROOT/kmod/$f" "$out/$f"
	done
	run_logged "building $out/$KMOD_NAME.ko" make -C "$out" KDIR="$tree" "$@"
}

# kmod_make DIR OUT: make in the repo's DIR for the stock kernel.
kmod_make() {
	run_logged "building $1" make -j2 -C "$REPO_ROOT/$1" KERNEL="$KMOD_BPF_KERNEL" \
		BPF_OUT="$KMOD_BPF_OUT" OUT="$2" VMLINUX_BTF="$KMOD_VMLINUX"
}

build_tests() {
	local tool
	[[ -f "$KMOD_BPF_KERNEL/tools/lib/bpf/Makefile" ]] ||
		die "no 6.12 tree with the series at $KMOD_BPF_KERNEL (run: make series)"
	log "building libbpf, bpftool, kfunc-test and cfur-kmod-runner ($KMOD_TESTS_OUT)"
	kmod_make kmod/tests "$KMOD_TESTS_OUT"
	log "building ${KMOD_TOOLS[*]} for $KMOD_KREL ($KMOD_TOOLS_OUT)"
	for tool in "${KMOD_TOOLS[@]}"; do
		kmod_make "$tool" "$KMOD_TOOLS_OUT/$tool"
	done
}

build_initramfs() {
	local init="$REPO_ROOT/vm/guest-kmod-init.sh" stage m f
	if [[ -s "$KMOD_INITRD" && "$KMOD_INITRD" -nt "$init" && "$KMOD_INITRD" -nt "$KMOD_VMLINUZ" ]]; then
		return 0
	fi
	log "making the initramfs $KMOD_INITRD"
	stage="$(mktemp -d "$KMOD_WORK/initramfs.XXXXXX")"
	mkdir -p "$stage"/{bin,dev,proc,sys,newroot,modules}
	cp /bin/busybox "$stage/bin/busybox"
	file -L "$stage/bin/busybox" 2>/dev/null | grep -q 'statically linked' ||
		ldd "$stage/bin/busybox" 2>&1 | grep -q 'not a dynamic' ||
		die "/bin/busybox is not static (apt-get install busybox-static)"
	cp "$init" "$stage/init"
	chmod 755 "$stage/init"
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
		netfs fscache 9pnet 9pnet_virtio 9p; do
		f="$(find "$KMOD_MODDIR/kernel" -name "$m.ko*" | head -n1)"
		[[ -n "$f" ]] || die "no $m.ko under $KMOD_MODDIR (is linux-image-$KMOD_KREL-unsigned installed?)"
		case "$f" in
		*.ko) cp "$f" "$stage/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$stage/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$stage/modules/$m.ko" ;;
		*) die "cannot unpack $f" ;;
		esac
	done
	# The kernel opens /dev/console of the initramfs for init's output.
	mknod -m 600 "$stage/dev/console" c 5 1
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner=0:0) | gzip -9n >"$KMOD_INITRD.tmp"
	mv "$KMOD_INITRD.tmp" "$KMOD_INITRD"
	rm -rf "$stage"
}

# for_tree TREE OUT: the module and its runner for a kernel built here.
for_tree() {
	local tree="$1" out="$2"
	[[ -f "$tree/vmlinux" && -f "$tree/Module.symvers" ]] ||
		die "$tree has no built kernel (vmlinux, Module.symvers): run tooling/build-kernel.sh"
	mkdir -p "$out"
	BUILD_LOG="$out/build.log"
	: >"$BUILD_LOG"
	build_module "$tree" "$out/mod"
	run_logged "building kfunc-test and cfur-kmod-runner" make -j2 -C "$REPO_ROOT/kmod/tests" \
		KERNEL="$tree" BPF_OUT="$WORK_DIR/bpf" OUT="$out/tests" VMLINUX_BTF="$tree/vmlinux" all
}

main() {
	local abi start=$SECONDS
	if [[ "${1:-}" == --print-abi ]]; then
		kmod_abi
		return 0
	fi
	if [[ "${1:-}" == --tree && $# -eq 3 ]]; then
		for_tree "$2" "$3"
		return 0
	fi
	[[ $# -eq 0 ]] || die "usage: tooling/kmod-build.sh [--print-abi | --tree TREE OUT]"
	mkdir -p "$KMOD_WORK"
	BUILD_LOG="$KMOD_WORK/build.log"
	: >"$BUILD_LOG"
	abi="$(kmod_abi)"
	kmod_paths "$abi"
	install_packages
	[[ -f "$KMOD_VMLINUZ" ]] || die "$KMOD_VMLINUZ not found (apt-get install linux-image-$KMOD_KREL-unsigned)"
	unpack "$KMOD_SRC_61_TARBALL" "$KMOD_SRC_61"
	extract_vmlinux
	build_resolve_btfids
	make_tree "$KMOD_TREE" 1
	make_tree "$KMOD_TREE_NOBTF" 0
	log "building $KMOD_NAME.ko for $KMOD_KREL"
	build_module "$KMOD_TREE" "$KMOD_OUT"
	build_module "$KMOD_TREE_NOBTF" "$KMOD_OUT_NOBTF" REQUIRE_BTF=0
	build_module "$KMOD_HEADERS" "$KMOD_OUT_HEADERS" BTF_BASE="$KMOD_VMLINUX"
	! readelf -S --wide "$KMOD_OUT_NOBTF/$KMOD_NAME.ko" | grep -q ' \.BTF ' ||
		die "$KMOD_OUT_NOBTF/$KMOD_NAME.ko has BTF, but was built to have none"
	build_tests
	build_initramfs
	log "built for $KMOD_KREL in $((SECONDS - start)) s: $KMOD_OUT/$KMOD_NAME.ko, $KMOD_TESTS_OUT/kfunc-test, $KMOD_INITRD"
}

main "$@"
