#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: a process holds a secret, cfur-peek reads it through
# bpf_copy_from_user_remote (or, where the kernel lacks it, the kfunc of
# copy_from_user_pid.ko: cfur-peek --via auto) and compares with
# process_vm_readv; then the errors a user meets.
# Usage: guest-demo.sh [--module KO] DEMO_BUILD_DIR
#   --module: insmod KO first (the stock kernel: make demo STOCK=1)
if [[ "${1:-}" == --module ]]; then
	echo "\$ insmod $(basename "$2")"
	insmod "$2" || { echo "insmod $2 failed"; exit 1; }
	shift 2
fi
demo="$1"
out=/tmp/cfur-secret.txt

sleep 600 | "$demo/cfur-secret" >"$out" &
for _ in $(seq 100); do [[ -s "$out" ]] && break; sleep 0.1; done
read -r line <"$out" || { echo "cfur-secret did not start"; exit 1; }
pid="${line#pid=}" && pid="${pid%% *}"
addr="${line#*addr=}" && addr="${addr%% *}"
size="${line#*size=}" && size="${size%% *}"

echo "CFUR-BEGIN demo"
echo "A process holds a secret: $line"
echo "\$ cfur-peek $pid $addr $size"
"$demo/cfur-peek" "$pid" "$addr" "$size"
rc=$?
echo
echo "\$ cfur-peek 999999 $addr 16        # no such process"
"$demo/cfur-peek" 999999 "$addr" 16
echo "\$ cfur-peek $pid 0x10 16           # an address that is not mapped"
"$demo/cfur-peek" "$pid" 0x10 16
echo "\$ cfur-peek 2 0x400000 16          # pid 2, kthreadd: a kernel thread"
"$demo/cfur-peek" 2 0x400000 16
echo "CFUR-END demo rc=$rc"
kill "$pid" 2>/dev/null
exit "$rc"
