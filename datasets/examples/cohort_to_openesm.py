#!/usr/bin/python3
"""Write a generated check-in cohort in the openESM layout (docs/real-data.md).

usage: cohort_to_openesm.py COHORT.json OUTDIR [MISSING_SHARE]

Writes OUTDIR/openesm_9999_synthetic_ts.tsv (one row per participant-day: id, day, beep, date and
ESM-style item columns, NA for missing), OUTDIR/openesm_9999_synthetic_metadata.json (openESM's
metadata with a rating-scale `pain` item whose range comes from its labels) and
OUTDIR/openesm_9999_import.json (the `peerlink dataset import` spec that maps the items back onto
peerlink's measures). The items keep the generator's values (craving 0-10 as `urge`, mood as
`happy`, stress as `worried`, ...), plus an item the risk model does not know (`pain`, 1-5, drawn
here) and a `lapse` yes/no column from the cohort's events. A share of days (default 0.1) is
blanked at random (seed 7), as beeps go unanswered. Standard library only; the cohort's ground
truth is not copied.
"""
import json
import os
import random
import sys

ITEMS = [  # (column, peerlink measure)
    ("urge", "craving"), ("happy", "mood"), ("worried", "stress"), ("anxious", "anxiety"),
    ("sleep_qual", "sleep_quality"), ("sleep_hrs", "sleep_hours"), ("attended", "attended"),
    ("took_meds", "medication_taken"), ("peer_contact", "peer_contact"), ("used", "used"),
]


def day_string(start, k):
    import datetime
    d = datetime.date.fromisoformat(start) + datetime.timedelta(days=k)
    return d.isoformat()


def cell(v):
    if v is None:
        return "NA"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return repr(v) if isinstance(v, float) and v != int(v) else str(int(v))


def main():
    cohort, out = sys.argv[1], sys.argv[2]
    missing = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    rng = random.Random(7)
    doc = json.load(open(cohort))
    rows = []
    for c in doc["clients"]:
        m = c["measures"]
        n = len(m["craving"])
        lapses = {e["date"] for e in c.get("events", [])}
        level = rng.randint(1, 3)
        for k in range(n):
            date = day_string(c["start"], k)
            blank = rng.random() < missing
            vals = ["NA" if blank else cell(m[meas][k]) for _, meas in ITEMS]
            pain = "NA" if blank else str(min(5, max(1, level + rng.choice([-1, 0, 0, 1]))))
            lapse = "yes" if date in lapses else ("NA" if blank else "no")
            rows.append([c["id"], str(k + 1), "1", date] + vals + [pain, lapse])
    os.makedirs(out, exist_ok=True)
    header = ["id", "day", "beep", "date"] + [col for col, _ in ITEMS] + ["pain", "lapse"]
    with open(os.path.join(out, "openesm_9999_synthetic_ts.tsv"), "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    features = [{"name": h, "description": h, "variable_type": "other", "labels": ""}
                for h in header]
    for f_ in features:
        if f_["name"] == "pain":
            f_.update(variable_type="rating_scale", answer_categories="5",
                      labels="1 = No pain\n2 = Mild\n3 = Moderate\n4 = Severe\n5 = Worst")
    meta = {"first_author": "peerlink", "dataset_id": "9999", "year": 2026, "license": "CC0-1.0",
            "n_participants": len(doc["clients"]), "n_beeps_per_day": "1",
            "additional_comments": "Synthetic: peerlink dataset generate checkins, written in "
                                   "the openESM layout by datasets/examples/cohort_to_openesm.py.",
            "features": features}
    json.dump(meta, open(os.path.join(out, "openesm_9999_synthetic_metadata.json"), "w"), indent=1)
    spec = {"format": "openesm", "data": "openesm_9999_synthetic_ts.tsv",
            "metadata": "openesm_9999_synthetic_metadata.json",
            "measures": dict([(meas, col) for col, meas in ITEMS] + [("pain", "pain")]),
            "catalogue": {"pain": {"worse": "higher"}},
            "events": {"lapse": "lapse"}}
    json.dump(spec, open(os.path.join(out, "openesm_9999_import.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
