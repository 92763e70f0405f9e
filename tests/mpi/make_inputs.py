#!/usr/bin/env python3
"""Inputs for tests/mpi/compare.sh: JSON Lines made from the shipped examples (one program or
client per line), programs varied with a fixed seed (subsets, objectives, seeds), and lines that
fail (a syntax error, an invalid request) at chosen places. Usage: make_inputs.py EXAMPLES OUTDIR."""
import json
import random
import sys

ex, out = sys.argv[1], sys.argv[2]
rng = random.Random(16)


def load(name):
    with open(f"{ex}/{name}") as f:
        return json.load(f)


def write(name, docs):
    with open(f"{out}/{name}", "w") as f:
        for d in docs:
            f.write(d if isinstance(d, str) else json.dumps(d))
            f.write("\n")


def subset(doc, key, keep):
    d = json.loads(json.dumps(doc))
    ids = {p["id"] for p in d[key]}
    d[key] = [p for p in d[key] if rng.random() < keep]
    kept = {p["id"] for p in d[key]}
    for p in d[key]:
        if p.get("partner_id") in ids and p["partner_id"] not in kept:
            del p["partner_id"]
        if "exclude" in p:
            p["exclude"] = [x for x in p["exclude"] if x in kept or x not in ids]
    for k in ("forbidden", "current", "pinned", "keep_apart", "keep_together"):
        if k in d:
            d[k] = [pair for pair in d[k] if all(x in kept or x not in ids for x in pair)]
    return d


program = load("program.json")
mentors = [program]
for k in range(9):
    d = subset(program, "mentees", 0.5 + 0.05 * k)
    d["objective"] = ["total", "maximin", "stable"][k % 3]
    mentors.append(d)
write("mentors.jsonl", mentors)
write("mentors_errors.jsonl", mentors[:3] + [""] + mentors[3:5] + [{"mentees": 3}] + mentors[5:6]
      + ["{\"mentees\": ["] + mentors[6:])

buddies = [load("buddies.json")]
for k in range(7):
    d = subset(buddies[0], "clients", 0.4 + 0.08 * k)
    d["odd"] = ["triad", "unmatched"][k % 2]
    buddies.append(d)
write("buddies.jsonl", buddies)

groups = [load("groups.json"), load("groups_week.json")]
for k in range(6):
    d = json.loads(json.dumps(groups[k % 2]))
    d["seed"] = 100 + k
    groups.append(d)
write("groups.jsonl", groups)
write("groups_syntax.jsonl", groups[:4] + ["{\"clients\": [1,]}"] + groups[4:])

cohort = load("cohort_20.json")["clients"]
write("cohort20.jsonl", cohort)
