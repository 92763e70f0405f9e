#!/usr/bin/python3
"""gen.py KIND N P SEED WMAX OUT: write one seeded random graph as text.

Format (read by all three solvers): first line "n m", then m lines "u v w" (0-based, integer w).
KIND "complete" writes every pair; "gnp" keeps each pair with probability P.
"""
import random
import sys

kind, n, p, seed, wmax, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
rng = random.Random(seed)
lines = []
for i in range(n):
    for j in range(i + 1, n):
        if kind == "complete" or rng.random() < p:
            lines.append("%d %d %d" % (i, j, rng.randint(1, wmax)))
with open(out, "w") as f:
    f.write("%d %d\n" % (n, len(lines)))
    f.write("\n".join(lines))
    f.write("\n")
