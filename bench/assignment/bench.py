#!/usr/bin/python3
"""Benchmark `peerlink solve assignment` against SciPy's linear_sum_assignment.

Same matrices (uniform random costs, seeded, saved as .npy) for both, in one run. SciPy's time is
the call alone; peerlink's is the solver's own solve_ms (parsing excluded), plus the end-to-end
wall time and the peak RSS of the whole CLI process. Optimal totals must agree.
Usage: bench/assignment/bench.py PEERLINK [n ...]     (default n: 1000 2000 4000)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def run_peerlink(binary, spec_path):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "solve", "assignment", "--input", spec_path],
                            stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit("peerlink failed")
    return json.loads(out), wall, usage.ru_maxrss / 1024.0


def main():
    binary = sys.argv[1]
    sizes = [int(a) for a in sys.argv[2:]] or [1000, 2000, 4000]
    rng = np.random.default_rng(20261126)
    print("| n | SciPy solve (s) | peerlink solve (s) | ratio peerlink/SciPy | peerlink end to end (s) | peak RSS (MB) | matrix (MB) |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            c = rng.random((n, n))
            npy = os.path.join(tmp, f"c{n}.npy")
            np.save(npy, c)
            spec = os.path.join(tmp, f"c{n}.json")
            with open(spec, "w") as f:
                json.dump({"costs": {"npy": npy}}, f)
            best_scipy, best_pl = float("inf"), float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                r, k = linear_sum_assignment(c)
                best_scipy = min(best_scipy, time.perf_counter() - t0)
                ans, wall, rss = run_peerlink(binary, spec)
                best_pl = min(best_pl, ans["stats"]["solve_ms"] / 1000.0)
            scipy_total = c[r, k].sum()
            if abs(scipy_total - ans["total"]) > 1e-7 * n:
                sys.exit(f"n={n}: totals differ: SciPy {scipy_total}, peerlink {ans['total']}")
            print(f"| {n} | {best_scipy:.3f} | {best_pl:.3f} | {best_pl / best_scipy:.3f} | "
                  f"{wall:.3f} | {rss:.0f} | {c.nbytes / 2**20:.0f} |")


if __name__ == "__main__":
    main()
