# SPDX-License-Identifier: GPL-2.0
# Summarizes a function_graph trace: for each traced top-level function and
# each of its direct children, calls and mean time in microseconds.
#   awk -f bench/profile-summary.awk trace.txt
function name_of(s) { sub(/^[[:space:]]*/, "", s); sub(/\(.*$/, "", s); sub(/[[:space:]]*\{$/, "", s); return s }
/\|/ {
	split($0, parts, "|")
	body = parts[2]
	match(body, /^ */)
	depth = (RLENGTH - 2) / 2
	dur = ""
	if (match(parts[1], /[0-9]+\.[0-9]+ us/)) dur = substr(parts[1], RSTART, RLENGTH - 3)
	if (body ~ /\{[[:space:]]*$/) {           # entry of a function with children
		stack[depth] = name_of(body)
		next
	}
	if (body ~ /^[[:space:]]*\}/) {             # exit: duration of stack[depth]
		fn = stack[depth]
	} else {
		fn = name_of(body)                 # a leaf: "foo();"
	}
	if (dur == "") next
	key = (depth == 0) ? fn : stack[0] " > " fn
	if (depth > 1) next
	n[key]++; sum[key] += dur
}
END {
	for (k in n) printf "%-70s %8d %10.3f\n", k, n[k], sum[k] / n[k]
}
