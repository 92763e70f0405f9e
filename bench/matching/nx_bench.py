#!/usr/bin/python3
"""nx_bench.py FILE: NetworkX max_weight_matching on one instance from gen.py.

Prints "total <weight> solve_ms <ms>"; only the matching call is timed (graph building is not).
"""
import sys
import time

import networkx as nx

with open(sys.argv[1]) as f:
    n, m = map(int, f.readline().split())
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for _ in range(m):
        u, v, w = f.readline().split()
        g.add_edge(int(u), int(v), weight=int(w))
t0 = time.perf_counter()
mate = nx.max_weight_matching(g, maxcardinality=False, weight="weight")
t1 = time.perf_counter()
total = sum(g[u][v]["weight"] for u, v in mate)
print("total %d solve_ms %.3f" % (total, (t1 - t0) * 1e3))
