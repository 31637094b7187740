#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test VM. The root is the host's, read-only over 9p; the
# host's run directory is shared read-write as "work" and holds:
#   cmd     the command to run (bash source), cwd  its working directory.
# Writes work/status (the command's exit code) and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null # may be mounted already
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# /tmp becomes a writable tmpfs; the host's /tmp stays reachable under
# /run/host-tmp, so that host paths under /tmp can be bound back (below).
mount -t tmpfs tmpfs /run
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,cache=none work /mnt ||
	echo "CFUR-GUEST: cannot mount the work share"
# Host paths under /tmp that the command needs (the repo, the work dir).
if [[ -f /mnt/binds ]]; then
	while read -r path; do
		mkdir -p "$path" && mount --bind "/run/host-tmp/${path#/tmp/}" "$path" ||
			echo "CFUR-GUEST: cannot bind $path"
	done </mnt/binds
fi
# Host directories shared read-write (vm/run.sh --share), at their own path.
if [[ -f /mnt/shares ]]; then
	while read -r tag path; do
		mkdir -p "$path" 2>/dev/null
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,cache=none "$tag" "$path" ||
			echo "CFUR-GUEST: cannot mount the share $path"
	done </mnt/shares
fi
ip link set lo up 2>/dev/null
ulimit -l unlimited

# What runs, for vm/run.sh to compare with the image: a file, as kernel
# messages may land in the middle of a console line.
printf '%s\n%s\n' "$(uname -r)" "$(uname -v)" >/mnt/uname
echo "CFUR-GUEST-UP $(uname -r) $(uname -v)"
status=1
if [[ -f /mnt/cmd ]]; then
	cd "$(cat /mnt/cwd)" && bash /mnt/cmd
	status=$?
else
	echo "CFUR-GUEST: no command in the work share"
fi
echo "$status" >/mnt/status
echo "CFUR-GUEST-DONE status=$status"
sync
echo o >/proc/sysrq-trigger
sleep 10
