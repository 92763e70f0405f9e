#!/bin/sh
# bench/buddies/run.sh [BUILD_DIR]: `peerlink match buddies` on generated cohorts with current,
# pinned and forbidden pairs (bench/buddies/make_cohort.py, seed 1: a fifth of the clients in
# current pairs, two pinned pairs, forbidden pairs for a tenth; top 3 alternatives), odd and
# even: SIZES (default 10 11 20 21 29 30 35 36 41 42 59 60 2000 2001; odd sizes need the triad).
# Prints per size: the least CPU time of the whole process (user + system, /usr/bin/time's 10 ms
# resolution: the figure to trust on a shared machine) and the least wall time over REPS runs
# (default 20; 3 above 500 clients), the answer's blossom solves, triad and whether it is exact,
# whether the alternatives carry total_change, and with INSTR=1 the instructions counted by
# valgrind --tool=callgrind (repeatable whatever the load; up to 500 clients). Not part of ctest. Needs
# /usr/bin/python3 (and valgrind for INSTR=1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
REPS=${REPS:-20}
INSTR=${INSTR:-0}
SIZES=${SIZES:-"10 11 20 21 29 30 35 36 41 42 59 60 2000 2001"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '| clients | CPU (ms) | wall, least of runs (ms) | blossom solves | triad | exact | total_change | instructions (M) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
	/usr/bin/python3 "$here/make_cohort.py" "$build/peerlink" "$n" 1 >"$work/in.json"
	reps=$REPS
	[ "$n" -gt 500 ] && [ "$reps" -gt 3 ] && reps=3
	cpu="" wall=""
	for k in $(seq "$reps"); do
		/usr/bin/time -f "%e %U %S" -o "$work/time" "$build/peerlink" match buddies \
			--input "$work/in.json" --output "$work/out.json"
		set -- $(tail -1 "$work/time")
		c=$(/usr/bin/python3 -c "print(round(($2 + $3) * 1000))")
		w=$(/usr/bin/python3 -c "print(round($1 * 1000))")
		if [ -z "$cpu" ] || [ "$c" -lt "$cpu" ]; then cpu=$c; fi
		if [ -z "$wall" ] || [ "$w" -lt "$wall" ]; then wall=$w; fi
	done
	ins=-
	if [ "$INSTR" = 1 ] && [ "$n" -le 500 ]; then
		valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$build/peerlink" match buddies \
			--input "$work/in.json" --output "$work/cg.json" 2>"$work/cg.log"
		ins=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/cg.log" |
			/usr/bin/python3 -c "import sys; print('%.0f' % (int(sys.stdin.read()) / 1e6))")
	fi
	line=$(/usr/bin/python3 - "$work/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stats"]
tri = [p for p in d["pairs"] if p.get("triad")]
print(s["solves"], "yes" if tri else "no", str(tri[0]["triad"]["exact"]).lower() if tri else "-",
      "yes" if s["alternatives_total_change"] else "no")
PY
)
	set -- $line
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$cpu" "$wall" "$1" "$2" "$3" "$4" "$ins"
done
