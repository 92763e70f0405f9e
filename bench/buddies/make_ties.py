#!/usr/bin/python3
"""bench/buddies/make_ties.py COHORT.json SEED: a tie-heavy variant of a make_cohort.py input on
stdout: every list field keeps one random tag, and every fifth client has its lists emptied and
no personality, so many pairs score alike (the case where the triad's search has many tied
triangles). Used to check that answers stay byte-identical across changes."""
import json
import random
import sys


def main():
    d = json.load(open(sys.argv[1]))
    rng = random.Random(int(sys.argv[2]))
    for i, c in enumerate(d["clients"]):
        for f in ("experiences", "substances", "goals", "life_stage", "availability"):
            if isinstance(c.get(f), list) and c[f]:
                c[f] = [] if i % 5 == 4 else [rng.choice(c[f])]
        if i % 5 == 4:
            c.pop("personality", None)
    json.dump(d, sys.stdout)


if __name__ == "__main__":
    main()
