#!/usr/bin/python3
"""gen.py KIND N P SEED WMAX OUT: write one seeded random graph, as OUT.txt and OUT.json.

OUT.txt (LEMON and NetworkX): first line "n m", then m lines "u v w" (0-based, integer w).
OUT.json (peerlink solve matching): {"n": n, "edges": [[u, v, w], ...]} with the same edges.
KIND "complete" writes every pair; "gnp" keeps each pair with probability P. Weights are
uniform integers in [1, WMAX]. Python's random.Random(SEED) makes the files reproducible.
"""
import json
import random
import sys

kind, n, p, seed, wmax, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
rng = random.Random(seed)
edges = []
for i in range(n):
    for j in range(i + 1, n):
        if kind == "complete" or rng.random() < p:
            edges.append((i, j, rng.randint(1, wmax)))
with open(out + ".txt", "w") as f:
    f.write("%d %d\n" % (n, len(edges)))
    f.write("".join("%d %d %d\n" % e for e in edges))
with open(out + ".json", "w") as f:
    json.dump({"n": n, "edges": edges}, f, separators=(",", ":"))
