#!/bin/sh
# bench/evaluate/small_cohorts.sh [PEERLINK]: the small-cohort goal of issue 12 (docs/datasets.md,
# "Small cohorts"): on generated cohorts of 200 x 90, 400 x 120 and 1000 x 180 (clients x days),
# seeds 777, 1 and 2, with the generator's defaults and with datasets/params/benchmark_checkins.json,
# the cross-validated model must beat the last craving: the paired bootstrap interval of the AUROC
# difference (risk evaluate --compare baseline:last_craving) above zero.
#   RECIPE   the model's options (default none: risk evaluate's recipe by the cohort's size,
#            below 10 events per feature the average of the default, compact and state sets,
#            each at its penalty chosen by nested CV, the default set at l2 1 above; docs/risk.md,
#            "Small cohorts"); e.g. RECIPE="--l2 auto --features auto" for nested CV choosing
#            one set per fold (session 6's recipe), RECIPE="--l2 1" for the recipe before issue 12
#   SIZES    "200x90 400x120 1000x180"   SEEDS "777 1 2"   PARAMS "defaults benchmark"
#   OUT      /tmp/peerlink_small_cohorts
#   THREADS  risk evaluate --threads (default: every processor; the results do not depend on it)
#   ORACLE   1: generate the cohorts with their truth, keep the model's rows (--rows) and add the
#            true hazard's paired difference to the last craving on the same rows
#            (bench/evaluate/oracle_gap.py): how much room the cohort leaves above the baseline
# Prints one line per cohort; not part of ctest (about 15 minutes of CPU without 1000 x 180).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/peerlink}
out=${OUT:-/tmp/peerlink_small_cohorts}
recipe=${RECIPE:-}
sizes=${SIZES:-200x90 400x120 1000x180}
seeds=${SEEDS:-777 1 2}
paramsets=${PARAMS:-defaults benchmark}
oracle=${ORACLE:-0}
threads=${THREADS:+--threads $THREADS}
truth=--no-truth; rows=""
if [ "$oracle" = 1 ]; then truth=""; fi
mkdir -p "$out"
echo "recipe: ${recipe:-by the cohort's size}; risk evaluate --cv 5 --bootstrap 200 --seed 1 --compare baseline:last_craving"
printf '%-9s %-9s %5s %7s %7s %7s %20s %5s %7s %s\n' params cohort seed model last_cr diff \
  "95% paired CI" met "min EPV" "l2 per fold, sets"
for name in $paramsets; do
  if [ $name = benchmark ]; then params="--params $root/datasets/params/benchmark_checkins.json"; else params=""; fi
  for size in $sizes; do
    n=${size%x*}; d=${size#*x}
    for seed in $seeds; do
      f="$out/${name}_${size}_$seed"
      $bin dataset generate checkins --clients "$n" --days "$d" --seed "$seed" $params --jsonl \
        $truth --output "$f.jsonl"
      if [ "$oracle" = 1 ]; then rows="--rows $f.rows"; fi
      $bin risk evaluate --cv 5 --bootstrap 200 --seed 1 $threads $recipe $rows \
        --compare baseline:last_craving --jsonl --input "$f.jsonl" --output "$f.eval.json"
      /usr/bin/python3 - "$f.eval.json" "$name" "$size" "$seed" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["comparison"]
diff = c["difference"]["auroc"]
ci = diff["ci"] or [float("nan")] * 2
pen = d["model"]["penalty"]
sets = "".join(s[0] for s in pen.get("feature_set", []))
print("%-9s %-9s %5s %7.3f %7.3f %+7.3f   [%+.3f, %+.3f] %5s %7.2f %s %s" % (
    sys.argv[2], sys.argv[3], sys.argv[4], c["model"]["auroc"]["value"],
    c["other"]["auroc"]["value"], diff["value"], ci[0], ci[1],
    "yes" if ci[0] > 0 else "NO", min(pen["events_per_feature"]),
    ",".join("%.3g" % x for x in pen["l2"]), sets))
PY
      if [ "$oracle" = 1 ]; then
        /usr/bin/python3 "$here/oracle_gap.py" "$f.jsonl" "$f.rows" | sed 's/^/    /'
      fi
    done
  done
done
