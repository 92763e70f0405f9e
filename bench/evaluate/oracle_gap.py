#!/usr/bin/python3
"""oracle_gap.py COHORT.jsonl ROWS.jsonl [--bootstrap B] [--seed S]: how much room a small cohort
leaves above the last craving (issue 12, docs/datasets.md "Small cohorts").

COHORT is a generated cohort WITH its truth (`dataset generate checkins` without --no-truth: each
client's truth.hazard, the true lapse hazard of every day); ROWS is `risk evaluate --rows` of the
cross-validated model on that cohort ({"client", "date", "risk", "label"}). On exactly those rows
it scores three things: the model, the last reported craving (the most recent non-missing craving
on or before the day, -1 before any, as risk evaluate's baseline) and the oracle (the true hazard of
the day, not observable), and prints each AUROC and the paired differences model - last craving,
oracle - last craving and oracle - model with cluster-bootstrap 95% intervals (clients drawn with
replacement, every score read on the same draw; percentile intervals, as risk evaluate's).
It also prints the lapse events (runs of positive rows of one client) and the interval's width:
when even the oracle's difference to the last craving has an interval reaching near zero, no
model built from the check-ins can be expected to clear zero on every draw of such a cohort.

AUROC is the Mann-Whitney statistic with mid-ranks for ties (scipy.stats.rankdata)."""
import datetime
import json
import sys

import numpy as np

from paired import auroc  # the same Mann-Whitney AUROC as paired.py (this folder)


def day_number(text):
    return datetime.date.fromisoformat(text).toordinal()


def load_cohort(path):
    clients = {}
    with open(path) as f:
        for line in f:
            c = json.loads(line)
            truth = c.get("truth") or {}
            if "hazard" not in truth:
                sys.exit("oracle_gap.py: client %s has no truth.hazard: generate the cohort "
                         "without --no-truth" % c["id"])
            clients[c["id"]] = (day_number(c["start"]), c["measures"]["craving"], truth["hazard"])
    return clients


def last_craving(craving, t):
    for d in range(min(t, len(craving) - 1), -1, -1):
        if craving[d] is not None:
            return float(craving[d])
    return -1.0


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = dict(zip(argv[1::], argv[2::]))
    B = int(opts.get("--bootstrap", 200))
    seed = int(opts.get("--seed", 1))
    clients = load_cohort(args[0])
    ids, model, lastc, oracle, label = [], [], [], [], []
    with open(args[1]) as f:
        for line in f:
            r = json.loads(line)
            start, craving, hazard = clients[r["client"]]
            t = day_number(r["date"]) - start
            ids.append(r["client"])
            model.append(r["risk"])
            lastc.append(last_craving(craving, t))
            oracle.append(hazard[t])
            label.append(r["label"])
    y = np.array(label, dtype=np.int8)
    scores = {"model": np.array(model, float), "last craving": np.array(lastc, float),
              "oracle": np.array(oracle, float)}
    names = sorted(set(ids))
    index = {c: i for i, c in enumerate(names)}
    group = np.array([index[c] for c in ids])
    rows_of = [np.flatnonzero(group == i) for i in range(len(names))]
    events = int(sum(1 for k in range(len(y)) if y[k] == 1 and (k == 0 or y[k - 1] == 0 or
                                                                 group[k - 1] != group[k])))
    pairs = [("model", "last craving"), ("oracle", "last craving"), ("oracle", "model")]
    point = {p: auroc(scores[p[0]], y) - auroc(scores[p[1]], y) for p in pairs}
    rng = np.random.default_rng(seed)
    draws = {p: [] for p in pairs}
    for _ in range(B):
        take = np.concatenate([rows_of[i] for i in rng.integers(0, len(names), len(names))])
        a = {name: auroc(s[take], y[take]) for name, s in scores.items()}
        for p in pairs:
            draws[p].append(a[p[0]] - a[p[1]])
    print("rows %d, clients %d, positive rows %d, lapse events %d" % (len(y), len(names),
                                                                      int(y.sum()), events))
    for name, s in scores.items():
        print("AUROC %-13s %.4f" % (name, auroc(s, y)))
    for p in pairs:
        lo, hi = np.nanpercentile(draws[p], [2.5, 97.5])
        print("%-6s - %-13s %+.4f [%+.4f, %+.4f] width %.4f" % (p[0], p[1], point[p], lo, hi,
                                                                hi - lo))


if __name__ == "__main__":
    main(sys.argv)
