#!/bin/sh
# bench/mentors/run.sh [BUILD_DIR]: end-to-end timing of `peerlink match mentors` on a program of
# 2,000 mentees x 500 mentors (capacity 4, all 10 criteria filled in, default weights and rules,
# objective "total", top 3 alternatives). Prints, for each of 5 runs, the wall and CPU time of the
# whole command (parse, compat, solve, explain and print, as a user sees it; the CPU time is the
# figure to trust on a shared machine) and the breakdown from the answer's "stats".
# Not part of ctest. Needs /usr/bin/python3 for the (deterministic) generator.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$root/datasets/examples/make_program.py" --mentees 2000 --mentors 500 \
	--capacity 4 --seed 1 --compact >"$work/program.json"
echo "input: $(wc -c <"$work/program.json") bytes"
for k in 1 2 3 4 5; do
	/usr/bin/time -f "%e %U %S" -o "$work/time" \
		"$build/peerlink" match mentors --input "$work/program.json" --output "$work/out.json"
	/usr/bin/python3 - "$work/out.json" "$work/time" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s, m = d["stats"], d["summary"]
wall, user, system = (float(x) for x in open(sys.argv[2]).read().split()[-3:])
print("wall %5.0f ms, cpu %5.0f ms | parse %4.0f compat %4.0f solve %4.0f explain %4.0f ms | "
      "matched %d/%d, mean score %.4f, blocking pairs %d"
      % (wall * 1000, (user + system) * 1000, s["parse_ms"], s["compat_ms"], s["solve_ms"],
         s["explain_ms"], m["matched"], m["mentees"], m["mean_score"], m["blocking_pairs"]))
PY
done
