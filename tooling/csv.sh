# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The CSV files the tools write for machines (pystack's summary.csv, the
# guest scripts' tables), read by column name, never by position. Sourced
# by tooling/lib.sh (the host) and vm/guest-lib.sh (the guest).

# csv_cols FILE COLUMN...: each data row of FILE, its COLUMNs in the order
# given, comma-separated. A COLUMN that FILE's header lacks is an error,
# named on stderr, with nothing printed.
csv_cols() {
	local file="$1"
	shift
	awk -F, -v want="$*" '
		NR == 1 {
			for (i = 1; i <= NF; i++) col[$i] = i
			n = split(want, names, " ")
			for (j = 1; j <= n; j++) {
				if (!(names[j] in col)) {
					printf "error: %s has no column %s\n", FILENAME, names[j] | "cat >&2"
					bad = 1
					exit 1
				}
			}
			next
		}
		{
			row = $col[names[1]]
			for (j = 2; j <= n; j++) row = row "," $col[names[j]]
			print row
		}
		END { exit bad }' "$file"
}

# csv_where FILE COLUMN VALUE COLUMN...: the COLUMNs (after the first
# three arguments) of the rows of FILE whose COLUMN is VALUE.
csv_where() {
	local file="$1" key="$2" value="$3"
	shift 3
	csv_cols "$file" "$key" "$@" | awk -F, -v v="$value" '$1 == v { sub(/^[^,]*,/, ""); print }'
}
