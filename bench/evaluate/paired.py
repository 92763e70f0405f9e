#!/usr/bin/python3
"""paired.py NEW.rows OLD.rows [--bootstrap B] [--seed S]: the paired comparison of two risk
scores on the same rows (issue 12): the AUROC of each, their difference, and a cluster-bootstrap
95% interval of the difference (clients drawn with replacement, both scores read on the same
draw, percentile interval; as risk evaluate's intervals).

Each file is the JSON Lines written by `risk evaluate --rows FILE` ({"client", "date", "risk",
"label"}); both runs must have scored the same rows (same cohort, same horizon), which is checked.
AUROC is the Mann-Whitney statistic with mid-ranks for ties (scipy.stats.rankdata)."""
import json
import sys

import numpy as np
from scipy.stats import rankdata


def load(path):
    keys, risk, label = [], [], []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            keys.append((r["client"], r["date"]))
            risk.append(r["risk"])
            label.append(r["label"])
    return keys, np.array(risk, dtype=float), np.array(label, dtype=np.int8)


def auroc(score, y):
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(score)
    return (r[pos].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = dict(zip(argv[1::], argv[2::]))
    B = int(opts.get("--bootstrap", 200))
    seed = int(opts.get("--seed", 1))
    ka, a, y = load(args[0])
    kb, b, yb = load(args[1])
    if ka != kb or not np.array_equal(y, yb):
        sys.exit("the two files do not hold the same rows")
    clients = {}
    for i, (c, _) in enumerate(ka):
        clients.setdefault(c, []).append(i)
    groups = [np.array(v) for v in clients.values()]
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(B):
        pick = rng.integers(0, len(groups), len(groups))
        idx = np.concatenate([groups[k] for k in pick])
        diffs.append(auroc(a[idx], y[idx]) - auroc(b[idx], y[idx]))
    da, db = auroc(a, y), auroc(b, y)
    lo, hi = np.nanpercentile(diffs, [2.5, 97.5]) if B else (float("nan"), float("nan"))
    out = {"rows": len(y), "clients": len(groups), "positives": int(y.sum()),
           "auroc_new": round(da, 6), "auroc_old": round(db, 6),
           "difference": round(da - db, 6), "ci": [round(lo, 6), round(hi, 6)],
           "bootstrap": B, "seed": seed, "above_zero": bool(lo > 0)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
