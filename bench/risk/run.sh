#!/bin/sh
# bench/risk/run.sh [PEERLINK]: the risk-scoring benchmarks of docs/risk.md ("Benchmarks").
#  1. columnar: 10,000 clients x 180 days, `risk score` end to end (issue 12 goal: 1.5 s on 2
#     cores), on the generator's full output (with "truth", 104 MB: the file of issue 12) and
#     without it (68 MB)
#  2. row form: the same cohort as rows: `risk score` vs jansson alone loading the file (<= 1.3x)
#  3. --jsonl: 100,000 clients x 180 days streamed through `risk score --jsonl` (peak RSS < 200 MB)
# Prints wall time, CPU time and peak RSS of each run, and check-ins per second.
# Not part of ctest. Needs /usr/bin/time and /usr/bin/python3; writes into $TMPDIR (about 1 GB).
set -eu
PL=${1:-build/peerlink}
PL=$(cd "$(dirname "$PL")" && pwd)/$(basename "$PL")
HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$HERE/../../models/default.json
W=${TMPDIR:-/tmp}/peerlink-bench-risk
mkdir -p "$W"
measure() { # label, command...: wall s, user+sys s, peak RSS MB
  label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@"
  read -r wall user sys rss < "$W/time"
  printf '%-34s wall %6.2f s   cpu %6.2f s   peak RSS %6.0f MB\n' "$label" "$wall" \
    "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc)" >&2
}
[ -f "$W/cols.json" ] || "$PL" dataset generate checkins --clients 10000 --days 180 --seed 11 \
  --no-truth --no-timing > "$W/cols.json"
[ -f "$W/full.json" ] || "$PL" dataset generate checkins --clients 10000 --days 180 --seed 11 \
  --no-timing > "$W/full.json"
[ -f "$W/rows.json" ] || /usr/bin/python3 "$HERE/to_rows.py" < "$W/cols.json" > "$W/rows.json"
[ -x "$W/jansson_load" ] || cc -O2 -o "$W/jansson_load" "$HERE/jansson_load.c" $(pkg-config --cflags --libs jansson)
checkins=$("$PL" risk score --model "$MODEL" --input "$W/cols.json" --no-timing --top 0 |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["checkins"])')
echo "cohort: 10,000 clients x 180 days, $checkins check-ins;" \
  "columnar $(du -m "$W/cols.json" | cut -f1) MB, rows $(du -m "$W/rows.json" | cut -f1) MB"
for rep in 1 2 3; do
  measure "score columnar 104 MB (run $rep)" "$PL" risk score --model "$MODEL" --input "$W/full.json" > "$W/out_full.json"
  measure "score columnar 68 MB (run $rep)" "$PL" risk score --model "$MODEL" --input "$W/cols.json" > "$W/out.json"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; wall times above need an idle machine)"
for rep in 1 2; do
  measure "jansson alone, row form (run $rep)" "$W/jansson_load" "$W/rows.json" > /dev/null
  measure "score row form (run $rep)" "$PL" risk score --model "$MODEL" --input "$W/rows.json" > "$W/out_rows.json"
done
/usr/bin/python3 -c "
import json
a = json.load(open('$W/out.json'))['clients']; b = json.load(open('$W/out_rows.json'))['clients']
print('row and columnar answers identical:', a == b)"
# 100,000 clients as JSON Lines (about 700 MB): memory must stay flat.
[ -f "$W/big.jsonl" ] || "$PL" dataset generate checkins --clients 100000 --days 180 --seed 12 \
  --no-truth --jsonl > "$W/big.jsonl"
measure "score --jsonl 100,000 clients" "$PL" risk score --model "$MODEL" --jsonl --input "$W/big.jsonl" > "$W/big.out"
echo "answers: $(wc -l < "$W/big.out") lines"
