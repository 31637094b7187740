#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pystack's outputs loaded back through the tools people load them into,
# each judged by the data the tool reads back, cross-checked against the
# collapsed file:
#   - <walker>.pb.gz: go tool pprof -raw and -top (golang-go): the start
#     time, the interpreter's mapping, the function names as written
#     (<module>, no <unknown>), the sample count;
#   - <walker>.speedscope.json: speedscope's own importer (the npm package
#     pinned in pystack/tests/speedscope/, installed with npm ci into the
#     work directory): unit seconds, the frames the collapsed file names,
#     the total weight;
#   - <walker>.collapsed: flamegraph.pl (libdevel-nytprof-perl, which puts
#     it in /usr/share/perl5/Devel/NYTProf/) draws it;
#   - <walker>.svg: pystack's own flame graph, well-formed XML (xmllint),
#     a box for every frame.
#
# usage: tests/pystack-tools.sh OUT_DIR   (pystack --out OUT_DIR's files)
# Runs under tests/pystack.sh; by hand, results go to $CFUR_RESULTS if set.
set -euo pipefail
: "${CFUR_RESULTS:=/dev/null}"
export CFUR_RESULTS
source "$(dirname "$0")/lib.sh"

readonly DIR="${1:?usage: $0 PYSTACK_OUT_DIR}"
readonly CHECK_DIR="$WORK_DIR/pystack-tools"
readonly SPEEDSCOPE_SRC="$REPO_ROOT/pystack/tests/speedscope"

skip() { printf 'SKIP %s: %s\n' "$1" "$2"; }

# frames_of COLLAPSED: every frame name the collapsed file has, one a line.
frames_of() {
	python3 - "$1" <<'EOF'
import sys
names = set()
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    names.update(stack.split(";")[2:])
print("\n".join(sorted(names)))
EOF
}

# The samples the collapsed file counts.
# requested_hz WALKER: the rate asked for, from summary.csv
requested_hz() { csv_where "$DIR/summary.csv" walker "$1" requested_hz; }

samples_of() { awk '{ n += $NF } END { print n + 0 }' "$1"; }

check_pprof() {
	local w="$1" name="pystack tools [$1]: go tool pprof reads the profile"
	local raw top
	if ! command -v go >/dev/null; then
		fail "$name" "no go: install golang-go (tooling/setup.sh)"
		return 0
	fi
	if ! raw="$(go tool pprof -raw "$DIR/$w.pb.gz" 2>&1)" ||
		! top="$(go tool pprof -top -nodecount=100000 "$DIR/$w.pb.gz" 2>&1)"; then
		printf '%s\n%s\n' "$raw" "$top" | tail -n 20 >&2
		fail "$name" "go tool pprof failed on $DIR/$w.pb.gz (above)"
		return 0
	fi
	printf '%s\n' "$raw" >"$CHECK_DIR/$w.pprof-raw.txt"
	printf '%s\n' "$top" >"$CHECK_DIR/$w.pprof-top.txt"
	# -raw: "Time: ...", the samples ("COUNT NANOS: LOCATIONS" under
	# "Samples:"), the locations ("ID: 0x0 M=1 FUNCTION FILE:LINE s=START()")
	# and the mapping ("1: 0x0/0x0/0x0 FILE [FN][FL][LN]")
	python3 - "$CHECK_DIR/$w.pprof-raw.txt" "$CHECK_DIR/$w.pprof-top.txt" "$(samples_of "$DIR/$w.collapsed")" <<'EOF' >"$CHECK_DIR/$w.pprof-check.txt" 2>&1 || {
import re, sys
raw = open(sys.argv[1]).read()
top = open(sys.argv[2]).read()
want = int(sys.argv[3])
errors = []
if not re.search(r"^Time: \d{4}-\d\d-\d\d ", raw, re.M):
    errors.append("no start time (Time:)")
section = None
samples = 0
functions = set()
mappings = []
for line in raw.splitlines():
    if line in ("Samples:", "Locations", "Mappings"):
        section = line
        continue
    if section == "Samples:" and (m := re.match(r"\s+(\d+)\s+\d+: [\d ]+$", line)):
        samples += int(m.group(1))
    elif section == "Locations" and (m := re.match(r"\s+\d+: 0x[0-9a-f]+ M=(\d+) (.*?) (\S*):\d+ s=", line)):
        functions.add(m.group(2))
    elif section == "Mappings" and line.strip():
        mappings.append(line)
if samples != want:
    errors.append(f"{samples} samples, the collapsed file has {want}")
if "<module>" not in functions:
    errors.append(f"no <module> among the functions: {sorted(functions)}")
if "<unknown>" in functions or "<unknown>" in top:
    errors.append("a function shown as <unknown>")
if not re.search(r"^\s+\d+ +[\d.]+% .*<module>$", top, re.M):
    errors.append("-top shows no <module>")
# target.py's worker runs through Middle.__init__: shown by its co_qualname
if "Middle.__init__" not in functions:
    errors.append("no Middle.__init__ (co_qualname) among the functions")
if not any("[FN][FL][LN]" in m and "python" in m for m in mappings):
    errors.append(f"no symbolized mapping of the interpreter: {mappings}")
if errors:
    print("; ".join(errors))
    sys.exit(1)
print(f"{samples} samples, {len(functions)} functions, mapping {mappings[0].split()[2]}")
EOF
		fail "$name" "$(cat "$CHECK_DIR/$w.pprof-check.txt") (see $CHECK_DIR/$w.pprof-raw.txt)"
		return 0
	}
	pass "$name ($(cat "$CHECK_DIR/$w.pprof-check.txt"), $(grep -m1 '^Time:' "$CHECK_DIR/$w.pprof-raw.txt"))"
}

# speedscope's importer, installed once per run into the work directory.
speedscope_ready=""
setup_speedscope() {
	[[ -n "$speedscope_ready" ]] && return "$speedscope_ready"
	speedscope_ready=1
	mkdir -p "$CHECK_DIR/speedscope"
	cp "$SPEEDSCOPE_SRC"/{package.json,package-lock.json,import.mjs} "$CHECK_DIR/speedscope/"
	if ! (cd "$CHECK_DIR/speedscope" && npm ci --no-audit --no-fund) >"$CHECK_DIR/npm-ci.log" 2>&1; then
		tail -n 20 "$CHECK_DIR/npm-ci.log" >&2
		return 1
	fi
	speedscope_ready=0
}

check_speedscope() {
	local w="$1" name="pystack tools [$1]: speedscope's importer reads the profile"
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		skip "$name" "no node and npm here (speedscope's importer runs in node)"
		return 0
	fi
	if ! setup_speedscope; then
		fail "$name" "npm ci of $SPEEDSCOPE_SRC/package-lock.json failed (above; is the npm registry reachable?)"
		return 0
	fi
	if ! node "$CHECK_DIR/speedscope/import.mjs" "$DIR/$w.speedscope.json" >"$CHECK_DIR/$w.speedscope.json" \
		2>"$CHECK_DIR/$w.speedscope.err"; then
		tail -n 20 "$CHECK_DIR/$w.speedscope.err" >&2
		fail "$name" "the importer failed on $DIR/$w.speedscope.json (above)"
		return 0
	fi
	frames_of "$DIR/$w.collapsed" >"$CHECK_DIR/$w.frames"
	python3 - "$CHECK_DIR/$w.speedscope.json" "$CHECK_DIR/$w.frames" "$(samples_of "$DIR/$w.collapsed")" \
		"$(requested_hz "$w")" <<'EOF' >"$CHECK_DIR/$w.speedscope-check.txt" 2>&1 || {
import json, re, sys
got = json.load(open(sys.argv[1]))
want_frames = set(open(sys.argv[2]).read().split("\n")) - {""}
want_samples = int(sys.argv[3])
rate = float(sys.argv[4] or 0)
errors = []
if got["said"] != ["Importing as speedscope json file"]:
    errors.append(f"imported as {got['said']}")
frames = set()
total = 0.0
time_order = 0
for p in got["profiles"]:
    if p["unit"] != "seconds":
        errors.append(f"{p['name']}: unit {p['unit']}")
    frames.update(p["frames"])
    total += p["total"]
    time_order += len(p["timeOrder"])
if frames != want_frames:
    errors.append(f"frames not in the collapsed file: {sorted(frames - want_frames)[:5]}, "
                  f"missing: {sorted(want_frames - frames)[:5]}")
if not any(re.fullmatch(r"<module> \(\S+\.py:\d+\)", f) for f in frames):
    errors.append("no '<module> (file.py:line)' frame")
if not any(re.fullmatch(r"Middle\.__init__ \(target\.py:\d+\)", f) for f in frames):
    errors.append("no 'Middle.__init__ (target.py:line)' frame (co_qualname)")
period = total / want_samples if want_samples else 0
# each sample weighs the sampling period, 1 / --rate (summary.csv)
if not rate or abs(period * rate - 1) > 0.05:
    errors.append(f"{total} s for {want_samples} samples at {rate} Hz: not 1/rate a sample")
if not time_order:
    errors.append("the Time Order view is empty")
if errors:
    print("; ".join(errors))
    sys.exit(1)
print(f"{got['importer']}: {len(got['profiles'])} thread profiles, {len(frames)} frames, "
      f"{total:.2f} s in all ({period * 1e3:.1f} ms a sample)")
EOF
		fail "$name" "$(cat "$CHECK_DIR/$w.speedscope-check.txt") (see $CHECK_DIR/$w.speedscope.json)"
		return 0
	}
	pass "$name ($(cat "$CHECK_DIR/$w.speedscope-check.txt"))"
}

# An SVG flame graph: well-formed, a titled box for every frame of the
# collapsed file. $2: the file, $3: what drew it, $4: "angles" if it shows
# <> as () (flamegraph.pl: "<module>" is "(module)").
check_svg() {
	local w="$1" svg="$2" what="$3" angles="${4:-}" name
	name="pystack tools [$w]: $what"
	if command -v xmllint >/dev/null && ! xmllint --noout "$svg" 2>"$CHECK_DIR/$w.xmllint.txt"; then
		fail "$name" "not well-formed XML: $(head -n 3 "$CHECK_DIR/$w.xmllint.txt")"
		return 0
	fi
	frames_of "$DIR/$w.collapsed" >"$CHECK_DIR/$w.frames"
	python3 - "$svg" "$CHECK_DIR/$w.frames" "$angles" <<'EOF' >"$CHECK_DIR/$w.svg-check.txt" 2>&1 || {
import re, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
# "NAME (N samples, P%)", flamegraph.pl's and pystack's alike
names = {re.sub(r" \([\d,]+ samples?, [\d.]+%\)$", "", t) for t in titles}
want = set(open(sys.argv[2]).read().split("\n")) - {""}
module = "<module> ("
if sys.argv[3] == "angles":
    want = {n.translate(str.maketrans("<>", "()")) for n in want}
    module = "(module) ("
missing = sorted(want - names)
if missing or not any(n.startswith(module) for n in names):
    print(f"no box for {missing[:5]} among {len(titles)}")
    sys.exit(1)
print(f"{len(titles)} boxes, every frame of the collapsed file among them")
EOF
		fail "$name" "$(cat "$CHECK_DIR/$w.svg-check.txt") ($svg)"
		return 0
	}
	pass "$name ($(cat "$CHECK_DIR/$w.svg-check.txt"))"
}

check_flamegraph_pl() {
	local w="$1" fg=/usr/share/perl5/Devel/NYTProf/flamegraph.pl
	command -v flamegraph.pl >/dev/null && fg="$(command -v flamegraph.pl)"
	if [[ ! -f "$fg" ]]; then
		fail "pystack tools [$w]: flamegraph.pl draws the collapsed stacks" \
			"no flamegraph.pl: install libdevel-nytprof-perl (tooling/setup.sh)"
		return 0
	fi
	if ! perl "$fg" --title "pystack $w" "$DIR/$w.collapsed" >"$CHECK_DIR/$w.flamegraph-pl.svg" \
		2>"$CHECK_DIR/$w.flamegraph-pl.err"; then
		fail "pystack tools [$w]: flamegraph.pl draws the collapsed stacks" \
			"$(head -n 3 "$CHECK_DIR/$w.flamegraph-pl.err")"
		return 0
	fi
	check_svg "$w" "$CHECK_DIR/$w.flamegraph-pl.svg" "flamegraph.pl draws the collapsed stacks" angles
}

main() {
	local f w
	mkdir -p "$CHECK_DIR"
	shopt -s nullglob
	local collapsed=("$DIR"/*.collapsed)
	if [[ ${#collapsed[@]} -eq 0 ]]; then
		fail "pystack tools: a pystack output directory" "no *.collapsed in $DIR"
		return 0
	fi
	for f in "${collapsed[@]}"; do
		w="$(basename "$f" .collapsed)"
		check_pprof "$w"
		check_speedscope "$w"
		check_flamegraph_pl "$w"
		check_svg "$w" "$DIR/$w.svg" "pystack's SVG flame graph"
	done
}

main "$@"
