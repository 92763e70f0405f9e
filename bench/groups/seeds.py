#!/usr/bin/env python3
"""seeds.py PEERLINK PROGRAM.json [PROGRAM.json ...] [--seeds N]: run `match groups` on each program
with seeds 0..N-1 (default 50) and report, per program, how many clients were placed (min/max
over the seeds), the total (min/max and the spread (max - min) / max), the upper bound and the
CPU time of the solves (issue 13: the placed count must never vary and the spread stay <= 1 %).
With --check PERCENT it is a test (ctest groups.seeds): exit 1 when the placed count varies over
the seeds or the spread of the total is above PERCENT. With --optimum FILE (repeatable; the JSON
that bench/groups/optimum.py prints, matched to a program by its file name) it also prints each
seed's distance to that reference optimum: clients placed fewer, else (optimum - total) /
optimum. With --dump FILE every seed's placed count, total and CPU seconds are written there
as JSON ({program: [[placed, total, cpu], ...]}), to compare two builds seed by seed."""
import json
import os
import subprocess
import sys
import tempfile


def run(pl, prog, seed):
    d = json.load(open(prog))
    d.pop("seed", None)  # --seed decides
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(d, f)
        path = f.name
    try:
        t0 = os.times()
        out = subprocess.run([pl, "match", "groups", "--input", path, "--seed", str(seed)],
                             capture_output=True, text=True, check=True).stdout
        t1 = os.times()
    finally:
        os.unlink(path)
    a = json.loads(out)
    cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    formed = tuple(g["id"] if "id" in g else g.get("index") for g in a["groups"]
                   if g["status"] == "formed")
    return a["summary"], cpu, formed


def distances(opt, placed, obj):
    """One line: the reference optimum, how many seeds reach it, and every other seed's distance."""
    proven = "proven" if opt.get("placed_proven") and opt.get("total_proven") else "not proven"
    at, far = 0, []
    for s, (p, t) in enumerate(zip(placed, obj)):
        if p < opt["placed"]:
            far.append(f"{s}: {p - opt['placed']} placed")
        elif p == opt["placed"] and t < opt["total"] - 1e-4:
            far.append(f"{s}: {100 * (opt['total'] - t) / opt['total']:.2f}%")
        else:
            at += 1
    return (f"  optimum placed {opt['placed']}, total {opt['total']:.4f} ({proven}, HiGHS "
            f"{opt.get('highs_seconds')} s): {at} of {len(placed)} seeds at it"
            + (f"; below it (seed: distance): {', '.join(far)}" if far else ""))


def main():
    args = sys.argv[1:]
    seeds, check = 50, None
    if "--check" in args:
        k = args.index("--check")
        check = float(args[k + 1])
        del args[k:k + 2]
    if "--seeds" in args:
        k = args.index("--seeds")
        seeds = int(args[k + 1])
        del args[k:k + 2]
    optima = {}
    while "--optimum" in args:
        k = args.index("--optimum")
        o = json.load(open(args[k + 1]))
        optima[o["program"]] = o
        del args[k:k + 2]
    dump = None
    if "--dump" in args:
        k = args.index("--dump")
        dump = args[k + 1]
        del args[k:k + 2]
    pl, progs = args[0], args[1:]
    dumped = {}
    failed = 0
    for prog in progs:
        placed, obj, cpu, forms, bounds = [], [], 0.0, set(), set()
        dumped[os.path.basename(prog)] = runs = []
        for s in range(seeds):
            summ, c, formed = run(pl, prog, s)
            runs.append([summ["placed"], summ["objective"], round(c, 3)])
            placed.append(summ["placed"])
            obj.append(summ["objective"])
            bounds.add(summ["upper_bound"])
            forms.add(formed)
            cpu += c
        spread = (max(obj) - min(obj)) / max(obj) if max(obj) > 0 else 0.0
        print(f"{os.path.basename(prog)}: {seeds} seeds: placed {min(placed)}-{max(placed)}, "
              f"total {min(obj):.4f}-{max(obj):.4f} (spread {100 * spread:.2f}%), "
              f"bound {min(bounds):.4f}-{max(bounds):.4f}, {len(forms)} distinct sets of formed groups, "
              f"CPU {cpu:.1f} s ({1000 * cpu / seeds:.0f} ms a run)")
        opt = optima.get(os.path.basename(prog))
        if opt:
            print(distances(opt, placed, obj))
        sys.stdout.flush()
        if dump:
            json.dump(dumped, open(dump, "w"))
        if check is not None and (min(placed) != max(placed) or 100 * spread > check):
            print(f"FAIL: the placed count varies or the spread is above {check}%")
            failed = 1
    sys.exit(failed)


main()
