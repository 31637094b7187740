#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox sh: an ash, which shellcheck checks as dash
# /init of the initramfs that boots Debian's stock kernel (vm/run-stock.sh;
# tooling/kmod-build.sh packs it with busybox and the kernel package's
# virtio and 9p modules, which that kernel does not have built in). It
# loads them, mounts the host's root read-only over 9p (tag "root") and
# switches to it, running the init named by cfur.init= on the kernel's
# command line: vm/guest-init.sh, as for the patched kernel.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Dependency order (modinfo -F depends), as the package has no modules.dep.
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
	virtio_pci netfs fscache 9pnet 9pnet_virtio 9p; do
	insmod "/modules/$m.ko" || echo "CFUR-INITRAMFS: cannot load $m.ko"
done

init=
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	cfur.init=*) init="${arg#cfur.init=}" ;;
	esac
done

mkdir -p /newroot
if ! mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap,msize=1048576,ro root /newroot; then
	echo "CFUR-INITRAMFS: cannot mount the host's root over 9p"
	echo o >/proc/sysrq-trigger
	sleep 10
fi
if [ -z "$init" ] || [ ! -x "/newroot$init" ]; then
	echo "CFUR-INITRAMFS: no executable cfur.init= ('$init') in the host's root"
	echo o >/proc/sysrq-trigger
	sleep 10
fi
umount /proc /sys /dev
exec switch_root /newroot "$init"
