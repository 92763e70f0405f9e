#!/bin/sh
# bench/evaluate/run.sh [PEERLINK]: the goal benchmark of issue 5 (docs/datasets.md, "Benchmark").
# Generates 2,000 clients x 180 days with seed 20260105 and the parameters in
# datasets/params/benchmark_checkins.json (and, for comparison, with the generator's defaults),
# evaluates the default risk model by client-grouped 5-fold cross-validation with baselines and
# 200 bootstrap replicates, and prints the numbers, the goal checks and the evaluation's wall and
# CPU time (issue 12: goal under 20 s wall on 2 cores; THREADS sets --threads, default all
# processors). Not part of ctest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/peerlink}
out=${OUT:-/tmp/peerlink_bench_evaluate}
mkdir -p "$out"
for name in benchmark defaults; do
  if [ $name = benchmark ]; then params="--params $root/datasets/params/benchmark_checkins.json"; else params=""; fi
  t0=$(date +%s.%N)
  $bin dataset generate checkins --clients 2000 --days 180 --seed 20260105 $params --jsonl \
       --output "$out/$name.jsonl"
  t1=$(date +%s.%N)
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S" -o "$out/$name.time" \
    $bin risk evaluate --cv 5 --baselines --bootstrap 200 --seed 1 --threads ${THREADS:-0} --jsonl \
       --input "$out/$name.jsonl" --output "$out/$name.eval.json"
  read wall user sys < "$out/$name.time"
  echo "== $name: generate $(echo "$t1 - $t0" | bc) s; evaluate $wall s wall, $user s user +" \
       "$sys s system CPU (load average before: $load)"
  /usr/bin/python3 "$here/summary.py" "$out/$name.eval.json"
done
