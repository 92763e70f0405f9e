#!/usr/bin/python3
"""Realistic assignment programs: peerlink against SciPy and LEMON, in one run.

For each program of bench/assignment/programs.py (the generator's 2,000 x 500 program and
hand-shaped ones: capacities 1-5, 30-70 % forbidden pairs, tied integer scores, both rectangular
orientations) it times
  - `peerlink solve assignment` on the matrix with capacities (the answer's solve_ms: the solve
    alone, parsing excluded), best of REPS runs;
  - SciPy's linear_sum_assignment on the capacity-expanded matrix (each column repeated
    `capacity` times, forbidden pairs at a cost BIG larger than any difference of totals, so the
    optimum places the most rows first), best of REPS calls;
  - LEMON's NetworkSimplex on the bipartite min-cost-flow form (bench/assignment/lemon_flow.cpp,
    compiled here with g++ when LEMON's headers are present; needs liblemon-dev), run() only;
checks that the three agree on rows placed and total, and prints the ratios. It then times
`peerlink match mentors` end to end (parse, compat, solve, reasons, alternatives) on the
generated program, as a separate process (wall and CPU), against SciPy's solve alone.
Usage: bench/assignment/realistic.py PEERLINK [REPS]      (nothing is installed; not in ctest)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from programs import programs  # noqa: E402


def run_peerlink(binary, args):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary] + args, stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit("peerlink failed: " + " ".join(args))
    return out, wall, usage.ru_utime + usage.ru_stime


def scipy_solve(cost, cap, reps):
    finite = cost[np.isfinite(cost)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    big = 2.0 * (cost.shape[0] + 2) * (hi - lo + abs(hi) + abs(lo) + 1.0)
    e = np.repeat(np.where(np.isfinite(cost), cost, big), cap, axis=1)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        r, k = linear_sum_assignment(e)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    v = e[r, k]
    used = v < big
    return int(used.sum()), float(v[used].sum()), best, best_cpu


def lemon_solve(exe, cost, cap, tmp):
    if exe is None:
        return None
    path = os.path.join(tmp, "lemon.txt")
    i, j = np.nonzero(np.isfinite(cost))
    with open(path, "w") as f:
        f.write(f"{cost.shape[0]} {cost.shape[1]} {len(i)}\n")
        f.write(" ".join(str(int(c)) for c in cap) + "\n")
        for a, b in zip(i, j):
            f.write(f"{a} {b} {cost[a, b]!r}\n")
    out = subprocess.run([exe, path], check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]) / 1000.0


def build_lemon(tmp):
    here = os.path.dirname(os.path.abspath(__file__))
    if not shutil.which("g++") or not os.path.exists("/usr/include/lemon/network_simplex.h"):
        print("(LEMON not found: install liblemon-dev to add its column)")
        return None
    exe = os.path.join(tmp, "lemon_flow")
    subprocess.run(["g++", "-O2", "-o", exe, os.path.join(here, "lemon_flow.cpp")], check=True)
    return exe


def main():
    binary = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print("| program | rows x cols | forbidden | seats | placed | SciPy expanded (s) | LEMON NetworkSimplex (s) | peerlink solve (s) | peerlink / SciPy | peerlink / LEMON |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        lemon = build_lemon(tmp)
        scipy_generated = None
        for name, cost, cap in programs(binary, tmp):
            npy = os.path.join(tmp, "c.npy")
            np.save(npy, np.where(np.isfinite(cost), cost, np.nan))
            spec = os.path.join(tmp, "spec.json")
            with open(spec, "w") as f:
                json.dump({"costs": {"npy": "c.npy"}, "capacities": [int(c) for c in cap]}, f)
            best, ans = float("inf"), None
            for _ in range(reps):
                out, _, _ = run_peerlink(binary, ["solve", "assignment", "--input", spec])
                ans = json.loads(out)
                best = min(best, ans["stats"]["solve_ms"] / 1000.0)
            sp = scipy_solve(cost, cap, reps)
            if name.startswith("generated"):
                scipy_generated = sp[3]
            lm = lemon_solve(lemon, cost, cap, tmp)
            for ref, who in ((sp, "SciPy"), (lm, "LEMON")):
                if ref is None:
                    continue
                if ref[0] != ans["stats"]["assigned"] or abs(ref[1] - ans["total"]) > 1e-6 * (1 + abs(ref[1])):
                    sys.exit(f"{name}: {who} {ref[:2]} != peerlink {(ans['stats']['assigned'], ans['total'])}")
            lm_t = f"{lm[2]:.3f}" if lm else "-"
            lm_r = f"{best / lm[2]:.2f}" if lm else "-"
            print(f"| {name} | {cost.shape[0]} x {cost.shape[1]} | {np.mean(~np.isfinite(cost)):.0%} | "
                  f"{int(cap.sum())} | {ans['stats']['assigned']} | {sp[2]:.3f} | {lm_t} | {best:.3f} | "
                  f"{best / sp[2]:.2f} | {lm_r} |", flush=True)
        # match mentors end to end on the generated program
        prof = subprocess.run([binary, "dataset", "generate", "profiles", "--mentees", "2000",
                               "--mentors", "500", "--seed", "9"], check=True,
                              capture_output=True).stdout
        d = json.loads(prof)
        prog = os.path.join(tmp, "program.json")
        with open(prog, "w") as f:
            json.dump({"mentees": d["mentees"], "mentors": d["mentors"]}, f)
        rows = []
        for _ in range(reps):
            out, wall, cpu = run_peerlink(binary, ["match", "mentors", "--input", prog])
            s = json.loads(out)["stats"]
            rows.append((cpu, wall, s))
        cpu, wall, s = min(rows, key=lambda x: x[0])
        print()
        print(f"match mentors, generated 2000 x 500 end to end: CPU {cpu:.3f} s, wall {wall:.3f} s "
              f"(parse {s['parse_ms']:.0f}, compat {s['compat_ms']:.0f}, solve {s['solve_ms']:.0f}, "
              f"explain {s['explain_ms']:.0f} ms); SciPy's solve alone (CPU) {scipy_generated:.3f} s; "
              f"ratio (CPU) {cpu / scipy_generated:.2f}")


if __name__ == "__main__":
    main()
