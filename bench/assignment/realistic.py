#!/usr/bin/python3
"""Realistic assignment programs: peerlink against SciPy and LEMON, in one run.

For each program of bench/assignment/programs.py (the generator's 2,000 x 500 program and
hand-shaped ones: capacities 1-5, 30-70 % forbidden pairs, tied integer scores, both rectangular
orientations) it runs, REPS times and interleaved so that all three see the same load,
  - `peerlink solve assignment` on the matrix with capacities: the CPU time (user + system) of
    the whole process (read the .npy, solve, write) and the answer's solve_ms (the solve alone,
    wall clock);
  - SciPy's linear_sum_assignment on the capacity-expanded matrix (each column repeated
    `capacity` times, forbidden pairs at a cost BIG larger than any difference of totals, so the
    optimum places the most rows first): CPU and wall time of the call;
  - LEMON's NetworkSimplex on the bipartite min-cost-flow form (bench/assignment/lemon_flow.cpp,
    compiled here with g++ when LEMON's headers are present; needs liblemon-dev): CPU and wall
    time of run();
checks that the three agree on rows placed and total, and prints medians and the ratios of the
CPU medians (on a loaded machine wall clocks mean little; on an idle one both agree). It then
runs `peerlink match mentors` end to end (parse, compat, solve, reasons, alternatives, print; a
separate process, CPU time) on the generated program and on hand-shaped profile programs
(programs.mentor_programs), each against SciPy's solve alone on the same program's expanded
matrix (scored by `peerlink compat`), interleaved likewise, in CPU time and in wall time (the
process from start to exit against the call; `match mentors` runs the alternatives' searches on
every processor, so on an idle machine its wall time is below its CPU time, while SciPy's call is
one thread: on a loaded one only the CPU ratio means anything).
Usage: bench/assignment/realistic.py PEERLINK [REPS] [--mentors-only]   (nothing is installed; not
in ctest). bench/assignment/instructions.py compares the same `match mentors` programs with SciPy
in instructions (callgrind), which a loaded machine does not change.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from statistics import median

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from programs import mentor_programs, programs, scored  # noqa: E402


def run_peerlink(binary, args):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary] + args, stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit("peerlink failed: " + " ".join(args))
    return out, wall, usage.ru_utime + usage.ru_stime


def expanded(cost, cap):
    finite = cost[np.isfinite(cost)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    big = 2.0 * (cost.shape[0] + 2) * (hi - lo + abs(hi) + abs(lo) + 1.0)
    return np.repeat(np.where(np.isfinite(cost), cost, big), cap, axis=1), big


def scipy_once(e, big):
    """(placed, total, wall, cpu) of one linear_sum_assignment call."""
    t0, c0 = time.perf_counter(), time.process_time()
    r, k = linear_sum_assignment(e)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    v = e[r, k]
    used = v < big
    return int(used.sum()), float(v[used].sum()), wall, cpu


def lemon_input(cost, cap, tmp):
    path = os.path.join(tmp, "lemon.txt")
    i, j = np.nonzero(np.isfinite(cost))
    with open(path, "w") as f:
        f.write(f"{cost.shape[0]} {cost.shape[1]} {len(i)}\n")
        f.write(" ".join(str(int(c)) for c in cap) + "\n")
        for a, b in zip(i, j):
            f.write(f"{a} {b} {cost[a, b]!r}\n")
    return path


def lemon_once(exe, path):
    """(placed, total, wall, cpu) of NetworkSimplex::run()."""
    out = subprocess.run([exe, path], check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]) / 1000.0, float(out[3]) / 1000.0


def build_lemon(tmp):
    here = os.path.dirname(os.path.abspath(__file__))
    if not shutil.which("g++") or not os.path.exists("/usr/include/lemon/network_simplex.h"):
        print("(LEMON not found: install liblemon-dev to add its column)")
        return None
    exe = os.path.join(tmp, "lemon_flow")
    subprocess.run(["g++", "-O2", "-o", exe, os.path.join(here, "lemon_flow.cpp")], check=True)
    return exe


def agree(name, who, ref, placed, total):
    if ref[0] != placed or abs(ref[1] - total) > 1e-6 * (1 + abs(ref[1])):
        sys.exit(f"{name}: {who} {ref[:2]} != peerlink {(placed, total)}")


def assignment_programs(binary, reps, tmp, lemon):
    print("| program | rows x cols | forbidden | seats | placed | SciPy CPU (s) | LEMON CPU (s) | "
          "peerlink CPU, whole process (s) | peerlink solve_ms (s) | peerlink / SciPy | peerlink / LEMON |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, cost, cap in programs(binary, tmp):
        npy = os.path.join(tmp, "c.npy")
        np.save(npy, np.where(np.isfinite(cost), cost, np.nan))
        spec = os.path.join(tmp, "spec.json")
        with open(spec, "w") as f:
            json.dump({"costs": {"npy": "c.npy"}, "capacities": [int(c) for c in cap]}, f)
        e, big = expanded(cost, cap)
        lpath = lemon_input(cost, cap, tmp) if lemon else None
        pl_cpu, pl_solve, sp_cpu, lm_cpu = [], [], [], []
        for _ in range(reps):
            out, _, cpu = run_peerlink(binary, ["solve", "assignment", "--input", spec])
            ans = json.loads(out)
            pl_cpu.append(cpu)
            pl_solve.append(ans["stats"]["solve_ms"] / 1000.0)
            sp = scipy_once(e, big)
            agree(name, "SciPy", sp, ans["stats"]["assigned"], ans["total"])
            sp_cpu.append(sp[3])
            if lemon:
                lm = lemon_once(lemon, lpath)
                agree(name, "LEMON", lm, ans["stats"]["assigned"], ans["total"])
                lm_cpu.append(lm[3])
        p, sc = median(pl_cpu), median(sp_cpu)
        lm_t = f"{median(lm_cpu):.3f}" if lm_cpu else "-"
        lm_r = f"{p / median(lm_cpu):.2f}" if lm_cpu else "-"
        print(f"| {name} | {cost.shape[0]} x {cost.shape[1]} | {np.mean(~np.isfinite(cost)):.0%} | "
              f"{int(cap.sum())} | {ans['stats']['assigned']} | {sc:.3f} | {lm_t} | {p:.3f} | "
              f"{median(pl_solve):.3f} | {p / sc:.2f} | {lm_r} |", flush=True)


def mentor_programs_run(binary, reps, tmp):
    print()
    print("| match mentors program | mentees x mentors | forbidden | placed | SciPy solve alone, CPU (s) | "
          "peerlink end to end, CPU (s) | ratio | SciPy wall (s) | peerlink wall (s) | wall ratio | "
          "parse / compat / solve / explain (ms, wall) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, prog in mentor_programs(binary):
        path = os.path.join(tmp, "program.json")
        with open(path, "w") as f:
            json.dump(prog, f)
        cost, cap = scored(binary, tmp, prog)
        e, big = expanded(cost, cap)
        rows, sp_cpu, walls, sp_wall = [], [], [], []
        for _ in range(reps):
            out, wall, cpu = run_peerlink(binary, ["match", "mentors", "--input", path])
            d = json.loads(out)
            rows.append((cpu, d["stats"], d["summary"]["matched"]))
            walls.append(wall)
            sp = scipy_once(e, big)
            sp_cpu.append(sp[3])
            sp_wall.append(sp[2])
            if sp[0] != d["summary"]["matched"]:
                sys.exit(f"{name}: SciPy places {sp[0]}, match mentors {d['summary']['matched']}")
        cpu = median([r[0] for r in rows])
        _, s, matched = sorted(rows, key=lambda r: r[0])[len(rows) // 2]
        sc = median(sp_cpu)
        sw, pw = median(sp_wall), median(walls)
        print(f"| {name} | {cost.shape[0]} x {cost.shape[1]} | {np.mean(~np.isfinite(cost)):.0%} | "
              f"{matched} | {sc:.3f} | {cpu:.3f} | {cpu / sc:.2f} | {sw:.3f} | {pw:.3f} | "
              f"{pw / sw:.2f} | {s['parse_ms']:.0f} / "
              f"{s['compat_ms']:.0f} / {s['solve_ms']:.0f} / {s['explain_ms']:.0f} |", flush=True)


def main():
    binary = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"{reps} interleaved runs each, medians; load average at start "
          f"{os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        lemon = build_lemon(tmp)
        if "--mentors-only" not in sys.argv:
            assignment_programs(binary, reps, tmp, lemon)
        mentor_programs_run(binary, reps, tmp)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
