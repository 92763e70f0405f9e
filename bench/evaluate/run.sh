#!/bin/sh
# bench/evaluate/run.sh [PEERLINK]: the goal benchmark of issue 5 (docs/datasets.md, "Benchmark").
# Generates 2,000 clients x 180 days with seed 20260105 and the parameters in
# datasets/params/benchmark_checkins.json (and, for comparison, with the generator's defaults),
# evaluates the default risk model by client-grouped 5-fold cross-validation with baselines and
# 200 bootstrap replicates, and prints the numbers and the goal checks. Not part of ctest.
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
  $bin risk evaluate --cv 5 --baselines --bootstrap 200 --seed 1 --jsonl --input "$out/$name.jsonl" \
       --output "$out/$name.eval.json"
  t2=$(date +%s.%N)
  echo "== $name: generate $(echo "$t1 - $t0" | bc) s, evaluate $(echo "$t2 - $t1" | bc) s"
  /usr/bin/python3 "$here/summary.py" "$out/$name.eval.json"
done
