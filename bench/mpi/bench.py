#!/usr/bin/env python3
"""Strong and weak scaling of peerlink-mpi over 1-2 ranks on this machine (docs/scale.md).

Usage: bench/mpi/bench.py BUILD_DIR [--clients N] [--days D] [--programs P] [--repeat R]
BUILD_DIR holds peerlink and peerlink-mpi (cmake -DPEERLINK_MPI=ON). Measures, with --no-timing:
  risk score --jsonl   strong: the same N clients on 1 and 2 ranks; weak: N clients per rank
  match mentors --jsonl  strong: the same P programs on 1 and 2 ranks
and the single-process peerlink with PEERLINK_THREADS=1 and with its default threads, checks that
every answer is byte-identical, and prints wall times (best of R), the speed-ups, the serial
fraction from Amdahl's law (f = 2 T2/T1 - 1 for two ranks) and the bytes moved per record
(the input line to its rank and the answer back to rank 0). Keep runs short: 2 cores, shared.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def run(cmd, env=None, stdin=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env or ENV, stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[:500]}")
    return dt, p.stdout


def best(cmd, repeat, env=None):
    times, out = [], None
    for _ in range(repeat):
        dt, o = run(cmd, env)
        if out is not None and o != out:
            sys.exit(f"output changed between runs: {' '.join(cmd)}")
        out = o
        times.append(dt)
    return min(times), out


def mpi(build, n, args):
    return ["mpirun", "-q", "-n", str(n), "--oversubscribe", f"{build}/peerlink-mpi"] + args


def measure(build, args, ranks, repeat, label):
    rows = {}
    t1, ref = best([f"{build}/peerlink"] + args, repeat, dict(ENV, PEERLINK_THREADS="1"))
    rows["peerlink, 1 thread"] = t1
    td, out = best([f"{build}/peerlink"] + args, repeat)
    assert out == ref
    rows["peerlink, default threads"] = td
    for n in ranks:
        t, out = best(mpi(build, n, args), repeat)
        if out != ref:
            sys.exit(f"{label}: peerlink-mpi -n {n} differs from peerlink")
        rows[f"peerlink-mpi -n {n}"] = t
    return rows, ref


def make_programs(src, path, count):
    with open(os.path.join(src, "datasets/examples/program.json")) as f:
        base = json.load(f)
    rng = random.Random(16)
    with open(path, "w") as f:
        for _ in range(count):
            d = json.loads(json.dumps(base))
            keep = {m["id"] for m in d["mentees"] if rng.random() < 0.8}
            d["mentees"] = [m for m in d["mentees"] if m["id"] in keep]
            for m in d["mentees"]:
                if m.get("partner_id") and m["partner_id"] not in keep:
                    del m["partner_id"]
            for k in ("forbidden", "current"):
                d[k] = [p for p in d.get(k, []) if p[0] in keep]
            f.write(json.dumps(d) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--programs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tmp = tempfile.mkdtemp(prefix="plmpi-")
    results = {}

    def cohort(n):
        path = f"{tmp}/cohort_{n}.jsonl"
        if not os.path.exists(path):
            with open(path, "wb") as f:
                _, out = run([f"{a.build}/peerlink", "dataset", "generate", "checkins",
                              "--clients", str(n), "--days", str(a.days), "--seed", "16",
                              "--jsonl", "--no-truth"])
                f.write(out)
        return path

    # Starting the ranks (mpirun, MPI_Init, loading the library) costs the same whatever the
    # input: measured on `peerlink-mpi --version` and subtracted to give the work's own time.
    launch = {}
    for k in (1, 2):
        launch[k], _ = best(mpi(a.build, k, ["--version"]), a.repeat)
    results["launch (mpirun ... peerlink-mpi --version)"] = {
        f"peerlink-mpi -n {k}": launch[k] for k in launch}
    score = ["risk", "score", "--jsonl", "--no-timing", "--as-of", "2026-04-01", "-i"]
    n = a.clients
    rows, out = measure(a.build, score + [cohort(n)], [1, 2], a.repeat, "score strong")
    inb = os.path.getsize(cohort(n)) / n
    results["risk score --jsonl, strong (%d clients x %d days)" % (n, a.days)] = rows
    results["bytes per client"] = {"input line": round(inb), "answer line": round(len(out) / n)}
    # Weak: N clients per rank (one rank: N, two ranks: 2N).
    t1, _ = best(mpi(a.build, 1, score + [cohort(n)]), a.repeat)
    t2, _ = best(mpi(a.build, 2, score + [cohort(2 * n)]), a.repeat)
    results["risk score --jsonl, weak (%d clients per rank)" % n] = {
        "peerlink-mpi -n 1": t1, "peerlink-mpi -n 2": t2}
    progs = f"{tmp}/programs.jsonl"
    make_programs(src, progs, a.programs)
    rows, out = measure(a.build, ["match", "mentors", "--jsonl", "--no-timing", "-i", progs],
                        [1, 2], a.repeat, "match strong")
    results["match mentors --jsonl, strong (%d programs)" % a.programs] = rows
    results["bytes per program"] = {"input line": round(os.path.getsize(progs) / a.programs),
                                    "answer line": round(len(out) / a.programs)}
    for k, v in results.items():
        print(k)
        for kk, vv in v.items():
            print(f"  {kk:28s} {vv:.3f} s" if isinstance(vv, float) else f"  {kk:28s} {vv}")
        if "strong" in k or "weak" in k:
            w1 = v["peerlink-mpi -n 1"] - launch[1]
            w2 = v["peerlink-mpi -n 2"] - launch[2]
            print(f"  work (launch subtracted)     -n 1: {w1:.3f} s, -n 2: {w2:.3f} s")
        if "strong" in k:
            s = w2 / w1
            print(f"  speed-up of the work 1->2    {1 / s:.2f}x; serial fraction (Amdahl) "
                  f"f = 2 T2/T1 - 1 = {max(0.0, 2 * s - 1):.3f}")
        if "weak" in k:
            print(f"  weak efficiency T1/T2        {w1 / w2:.2f}")
    json.dump(results, open(f"{tmp}/results.json", "w"), indent=1)
    print(f"(inputs and results.json in {tmp})")


if __name__ == "__main__":
    main()
