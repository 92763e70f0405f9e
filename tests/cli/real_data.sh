#!/bin/sh
# real_data.sh PEERLINK SOURCE_DIR: the commands of docs/real-data.md, end to end (ctest
# scenario.real_data). Imports the shipped openESM example and a generated cohort written in the
# openESM layout (datasets/examples/cohort_to_openesm.py, with an extra `pain` item and a lapse
# column), then: risk ews on one participant's series with the ewstools conventions; risk evaluate
# of the shipped model on the converted cohort (exit 0, a note that pain is not used, metrics
# defined, --baselines); and on the shipped openESM example, which has no craving item (exit 3,
# naming the feature and the measure). Needs /usr/bin/python3 (standard library only).
set -u
pl=$1
src=$2
model=$src/models/default.json
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail=0
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
"$pl" dataset generate checkins --clients 120 --days 120 --seed 3 --no-timing --output "$w/cohort.json" || exit 1
"$py" "$src/datasets/examples/cohort_to_openesm.py" "$w/cohort.json" "$w" || exit 1
"$pl" dataset import --input "$w/openesm_9999_import.json" --no-timing --output "$w/esm.json" || { echo "import failed"; exit 1; }
# One participant's daily worry (stress) series, null where the beep went unanswered.
"$py" - "$w/esm.json" > "$w/ews_in.json" <<'PY'
import datetime, json, sys
c = json.load(open(sys.argv[1]))["clients"][0]
d0 = datetime.date.fromisoformat(c["checkins"][0]["date"])
n = (datetime.date.fromisoformat(c["checkins"][-1]["date"]) - d0).days + 1
s = [None] * n
for r in c["checkins"]:
    s[(datetime.date.fromisoformat(r["date"]) - d0).days] = r.get("stress")
print(json.dumps({"series": s, "window": 0.5, "detrend": {"gaussian": 0.2},
                  "autocorrelation": "pearson", "moments": "sample"}))
PY
"$pl" risk ews --no-timing --input "$w/ews_in.json" > "$w/ews.json" || { echo "risk ews failed"; fail=1; }
grep -q '"autocorrelation":"pearson"' "$w/ews.json" || { echo "ews: no pearson convention in stats"; fail=1; }
"$pl" risk evaluate --model "$model" --input "$w/esm.json" --no-timing --bootstrap 50 --baselines \
  --seed 1 > "$w/eval.json" || { echo "risk evaluate on the converted cohort failed"; fail=1; }
"$py" - "$w/eval.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["notes"] == ["the model does not use the measure 'pain': it does not enter the risk"], d.get("notes")
assert d["data"]["lapses"] > 0 and d["data"]["positives"] > 0, d["data"]
for k in ("auroc", "auprc", "brier"):
    assert d["metrics"][k]["value"] is not None, k
for k in ("last_craving", "missed_streak", "ews"):
    assert d["baselines"][k]["auroc"]["value"] is not None, k
print("converted cohort: AUROC %.3f (last craving %.3f, ews %.3f)" % (
    d["metrics"]["auroc"]["value"], d["baselines"]["last_craving"]["auroc"]["value"],
    d["baselines"]["ews"]["auroc"]["value"]))
PY
"$pl" dataset import --input "$src/datasets/examples/openesm_import.json" --no-timing > "$w/tiny.json" || fail=1
"$pl" risk evaluate --model "$model" --input "$w/tiny.json" --no-timing > "$w/tiny_out.json" 2> "$w/tiny_err.json"
rc=$?
[ "$rc" = 3 ] || { echo "shipped example: exit $rc, expected 3"; fail=1; }
[ -s "$w/tiny_out.json" ] && { echo "shipped example: output on error"; fail=1; }
grep -q "needs the measure 'craving', which no client reports" "$w/tiny_err.json" || { echo "shipped example: unexpected error"; cat "$w/tiny_err.json"; fail=1; }
[ $fail = 0 ] && echo "ok: import, EWS and transportability commands of docs/real-data.md"
exit $fail
