#!/bin/sh
# bench/evaluate/state_goal.sh [PEERLINK]: the state-space goal of issue 12 (docs/datasets.md,
# "State-space features: the goal of issue 12"). For 1,000 clients x 180 days, the benchmark
# parameters and the generator's defaults, seeds 1 and 2: `risk evaluate --cv 5` with the default
# features (which include state_level, state_sd, state_baseline) and with issue 11's 28 features
# (the same binary, --features LIST), both with --rows; the observable reference (--generator);
# the paired cluster-bootstrap interval of the AUROC difference (paired.py, 200 replicates).
# Goal: AUROC within 0.005 of the observable reference (or above) and the interval above 0.
# Not part of ctest; about 30 s of CPU per evaluation.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/peerlink}
out=${OUT:-/tmp/peerlink_bench_state}
bench_params=$root/datasets/params/benchmark_checkins.json
old="craving.level,mood.level,stress.level,anxiety.level,sleep_quality.level,sleep_hours.level"
old="$old,craving.slope,mood.slope,stress.slope,craving.dev,mood.dev,stress.dev,craving.cusum"
old="$old,craving.var,mood.var,craving.var_tau,attended.rate,attended.rate_trend"
old="$old,peer_contact.rate,medication_taken.rate,medication_taken.rate_7,used.rate,used.rate_7"
old="$old,checkins,coverage_14,missed_streak,days_since_lapse,prior_lapse"
mkdir -p "$out"
for params in benchmark defaults; do
  for seed in 1 2; do
    c=$out/$params$seed
    if [ $params = benchmark ]; then p="--params $bench_params"; g=$bench_params; else p=""; g=default; fi
    $bin dataset generate checkins --clients 1000 --days 180 --seed $seed $p --jsonl --output "$c.jsonl"
    /usr/bin/time -f "%U %S" -o "$c.new.time" $bin risk evaluate --cv 5 --bootstrap 0 --seed 1 \
      --jsonl --input "$c.jsonl" --rows "$c.new.rows" --generator $g --output "$c.new.json"
    /usr/bin/time -f "%U %S" -o "$c.old.time" $bin risk evaluate --cv 5 --bootstrap 0 --seed 1 \
      --jsonl --input "$c.jsonl" --rows "$c.old.rows" --features "$old" --output "$c.old.json"
    ref=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['references']['observable']['auroc']['value'])" "$c.new.json")
    echo "== $params seed $seed: observable reference $ref; CPU new $(cat "$c.new.time"), old $(cat "$c.old.time")"
    /usr/bin/python3 "$here/paired.py" "$c.new.rows" "$c.old.rows" --bootstrap 200 --seed 1
  done
done
