#!/usr/bin/python3
"""bench/buddies/compare.py PEERLINK [SIZES...]: `match buddies` against one maximum-weight matching
of the same cohort graph in NetworkX (max_weight_matching, maxcardinality=True) and LEMON
(MaxWeightedMatching, weights offset for the most pairs first; bench/buddies/lemon_matching.cpp,
compiled here with g++), in the same run.

Cohorts from bench/buddies/make_cohort.py (seed 1: current pairs for a fifth, two pinned pairs,
forbidden pairs for a tenth, top 3). The graph: clients not pinned, pairs not forbidden with a
score (compat, partner rule off as in the cohort), weight = score + 0.1 stickiness on current
pairs. peerlink's figures are CPU (user + system) of the whole process, best of REPS (default 3):
`match buddies` does parse, compat, the pairing, the exact triad and 3 alternatives per client;
`solve matching` is one solve of the graph (objective checked against LEMON's). NetworkX is the
process CPU time of the call, LEMON the wall time of run() (one call each). Ratios are
match buddies / NetworkX and / LEMON. NetworkX is skipped above NX_MAX clients (default 300).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_of(cmd, stdin_path):
    best = None
    for _ in range(int(os.environ.get("REPS", "3"))):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(stdin_path) as f:
            out = subprocess.run(cmd, stdin=f, check=True, capture_output=True).stdout
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if best is None or t < best[0]:
            best = (t, out)
    return best


def graph(peerlink, doc):
    clients = doc["clients"]
    ids = [c["id"] for c in clients]
    pos = {c: i for i, c in enumerate(ids)}
    spec = json.dumps({"left": clients, "constraints": {"partner": False}})
    sc = json.loads(subprocess.run([peerlink, "compat"], input=spec.encode(), check=True,
                                   capture_output=True).stdout)["scores"]
    pinned = {pos[x] for p in doc["pinned"] for x in p}
    forb = {frozenset((pos[a], pos[b])) for a, b in doc["forbidden"]}
    cur = {frozenset((pos[a], pos[b])) for a, b in doc["current"]}
    free = [i for i in range(len(ids)) if i not in pinned]
    idx = {c: k for k, c in enumerate(free)}
    edges = []
    for a in free:
        for b in free:
            if a < b and sc[a][b] is not None and frozenset((a, b)) not in forb:
                edges.append((idx[a], idx[b], sc[a][b] + (0.1 if frozenset((a, b)) in cur else 0.0)))
    return len(free), edges


def main():
    peerlink = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [10, 11, 20, 29, 31, 40, 45, 50, 59, 60, 200, 2000, 2001]
    nx_max = int(os.environ.get("NX_MAX", "300"))
    work = tempfile.mkdtemp()
    lemon = os.path.join(work, "lemon_matching")
    subprocess.run(["g++", "-O2", "-o", lemon, os.path.join(HERE, "lemon_matching.cpp")], check=True)
    try:
        import networkx as nx
    except ImportError:
        nx = None
    print("| clients | match buddies CPU (ms) | solves | solve matching CPU (ms) | NetworkX (ms) | LEMON (ms) | buddies / NetworkX | buddies / LEMON | same objective |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        cohort = os.path.join(work, "in.json")
        with open(cohort, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "make_cohort.py"), peerlink, str(n), "1"],
                           check=True, stdout=f)
        doc = json.load(open(cohort))
        t_bud, out = cpu_of([peerlink, "match", "buddies"], cohort)
        solves = json.loads(out)["stats"]["solves"]
        nf, edges = graph(peerlink, doc)
        mpath = os.path.join(work, "m.json")
        with open(mpath, "w") as f:
            json.dump({"n": nf, "edges": [list(e) for e in edges], "max_cardinality": True}, f)
        t_one, mout = cpu_of([peerlink, "solve", "matching"], mpath)
        mres = json.loads(mout)
        wmin = min((e[2] for e in edges), default=0.0)
        wmax = max((e[2] for e in edges), default=0.0)
        K = float(int((nf // 2) * (wmax - wmin) - wmin + 2))
        lpath = os.path.join(work, "l.txt")
        with open(lpath, "w") as f:
            f.write("%d %d %.1f\n" % (nf, len(edges), K))
            for a, b, w in edges:
                f.write("%d %d %.17g\n" % (a, b, w))
        lp, lw, lms = subprocess.run([lemon, lpath], check=True, capture_output=True,
                                     text=True).stdout.split()
        same = abs(float(lw) - mres.get("total", mres.get("summary", {}).get("total", 0.0))) < 1e-6 \
            if "total" in mres or "summary" in mres else "?"
        nx_ms = None
        if nx is not None and n <= nx_max:
            G = nx.Graph()
            G.add_nodes_from(range(nf))
            G.add_weighted_edges_from(edges)
            c0 = time.process_time()
            nx.max_weight_matching(G, maxcardinality=True)
            nx_ms = (time.process_time() - c0) * 1000
        print("| %d | %.0f | %d | %.0f | %s | %.1f | %s | %s | %s |" % (
            n, t_bud * 1000, solves, t_one * 1000, "%.0f" % nx_ms if nx_ms is not None else "-",
            float(lms), "%.2f" % (t_bud * 1000 / nx_ms) if nx_ms else "-",
            "%.2f" % (t_bud * 1000 / float(lms)) if float(lms) > 0 else "-", same))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
