#!/usr/bin/python3
"""Columnar risk input (a document or JSON Lines) -> the equivalent row form, same clients, same
values: one {"date", <measure>: value...} object per day with at least one value."""
import datetime
import json
import sys


def rows(c):
    start = datetime.date.fromisoformat(c["start"])
    meas = c["measures"]
    n = len(next(iter(meas.values()))) if meas else 0
    out = []
    for k in range(n):
        day = {m: v[k] for m, v in meas.items() if v[k] is not None}
        if day:
            out.append(dict(date=(start + datetime.timedelta(days=k)).isoformat(), **day))
    r = {"id": c["id"], "checkins": out}
    if c.get("events"):
        r["events"] = c["events"]
    return r


def main():
    src = json.load(sys.stdin)
    json.dump({"clients": [rows(c) for c in src["clients"]]}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
