#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: a short benchmark under ftrace's function_graph tracer,
# limited to the helper and to the upstream path's three calls, so that
# their children's times show where a read's cost goes.
# Usage: guest-profile.sh CFUR_BENCH OUT_DIR
bench="$1"
out="$2"
t=/sys/kernel/tracing
echo 0 >"$t/tracing_on"
echo 65536 >"$t/buffer_size_kb"
echo function_graph >"$t/current_tracer"
echo 3 >"$t/max_graph_depth"
echo bpf_copy_from_user_remote bpf_copy_from_user_task bpf_task_from_pid bpf_task_release \
	>"$t/set_graph_function"
echo >"$t/trace"
echo 1 >"$t/tracing_on"
"$bench" --scale 0.01 --reps 1 --out /tmp/profile-bench >/dev/null
echo 0 >"$t/tracing_on"
cp "$t/trace" "$out/trace.txt"
echo nop >"$t/current_tracer"
echo "CFUR-PROFILE lines=$(wc -l <"$out/trace.txt")"
