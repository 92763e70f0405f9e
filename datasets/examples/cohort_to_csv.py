#!/usr/bin/python3
"""cohort_to_csv.py COHORT.json N DAYS > checkins.csv

Write the first N clients and DAYS days of a generated cohort (columnar form) as the kind of
long-format CSV an EMA platform exports: one row per client-day with a check-in, platform-style
column names, booleans as yes/no, a lapse flag column and the client's gender. Used to make
datasets/examples/checkins.csv (see datasets/README.md); standard library only.
"""
import csv
import datetime
import json
import sys

cohort = json.load(open(sys.argv[1]))
n, days = int(sys.argv[2]), int(sys.argv[3])
cols = [("craving", "craving_0_10"), ("mood", "mood_0_10"), ("stress", "stress_0_10"),
        ("sleep_hours", "hours_slept"), ("attended", "attended_group"), ("used", "used_today")]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["participant", "day_date"] + [c for _, c in cols] + ["lapse_reported", "gender"])
for c in cohort["clients"][:n]:
    start = datetime.date.fromisoformat(c["start"])
    lapses = {e["date"] for e in c["events"]}
    for t in range(min(days, len(c["measures"]["craving"]))):
        row = [c["measures"][m][t] for m, _ in cols]
        date = (start + datetime.timedelta(days=t)).isoformat()
        if all(v is None for v in row) and date not in lapses:
            continue
        cells = ["" if v is None else ("yes" if v is True else "no" if v is False else v) for v in row]
        w.writerow([c["id"], date] + cells + ["1" if date in lapses else "0",
                                              c["attributes"]["gender"]])
