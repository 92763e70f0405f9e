#!/usr/bin/python3
"""Held-out evaluation of a risk model on a freshly generated cohort (models/MODEL_CARD.md).

Usage: evaluate_heldout.py PEERLINK MODEL COHORT.jsonl
The cohort is `peerlink dataset generate checkins --jsonl` output (columnar clients with events).
Every 7 days from the cohort's first start, every client is scored with `risk score --as-of D`;
a (client, D) pair counts when D is on or after the client's start and D + horizon is inside its
180-day grid; its label is a lapse or relapse in (D, D + horizon]. Prints AUROC, Brier score,
mean predicted vs observed rate, and the tiers' flagged fraction, sensitivity and PPV, as JSON.
Pairs whose risk is null (too little history, or tier "contact": silent beyond the trained range)
are counted and left out.
"""
import datetime
import json
import subprocess
import sys


def day(s):
    return datetime.date.fromisoformat(s).toordinal()


def auroc(scores, labels):
    pairs = sorted(zip(scores, labels))
    rank_sum, npos, i = 0.0, 0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        pos = sum(1 for k in range(i, j) if pairs[k][1])
        rank_sum += pos * (i + 1 + j) / 2.0
        npos += pos
        i = j
    nneg = len(pairs) - npos
    return (rank_sum - npos * (npos + 1) / 2.0) / (npos * nneg)


def main():
    peerlink, model_path, cohort = sys.argv[1:4]
    model = json.load(open(model_path))
    horizon = model["horizon_days"]
    clients = [json.loads(line) for line in open(cohort) if line.strip()]
    info = {}
    for c in clients:
        s0 = day(c["start"])
        n = len(next(iter(c["measures"].values())))
        ev = [day(e["date"]) for e in c.get("events", []) if e["type"] in ("lapse", "relapse")]
        info[c["id"]] = (s0, s0 + n - 1, ev)
    first = min(v[0] for v in info.values())
    last = max(v[1] for v in info.values())
    scores, labels, nulls, contact, tiers = [], [], 0, 0, []
    for d in range(first + 7, last - horizon + 1, 7):
        date = datetime.date.fromordinal(d).isoformat()
        out = subprocess.run([peerlink, "risk", "score", "--model", model_path, "--jsonl",
                              "--as-of", date, "--input", cohort, "--top", "1"],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            r = json.loads(line)
            s0, end, ev = info[r["id"]]
            if d < s0 or d + horizon > end:
                continue
            if r["risk"] is None:
                nulls += 1
                contact += r["tier"] == "contact"
                continue
            scores.append(r["risk"])
            labels.append(any(d < e <= d + horizon for e in ev))
            tiers.append(r["tier"])
    n, pos = len(scores), sum(labels)
    res = {"pairs": n, "positive": pos, "null_risk": nulls, "contact_tier": contact,
           "auroc": round(auroc(scores, labels), 4),
           "brier": round(sum((s - y) ** 2 for s, y in zip(scores, labels)) / n, 5),
           "mean_predicted": round(sum(scores) / n, 5), "observed_rate": round(pos / n, 5)}
    for name, keep in (("moderate_or_higher", ("moderate", "high")), ("high", ("high",))):
        flagged = [y for y, t in zip(labels, tiers) if t in keep]
        res[name] = {"flagged_fraction": round(len(flagged) / n, 4),
                     "sensitivity": round(sum(flagged) / pos, 4),
                     "ppv": round(sum(flagged) / len(flagged), 4) if flagged else None}
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
