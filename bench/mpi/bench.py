#!/usr/bin/env python3
"""Strong and weak scaling of peerlink-mpi over 1-2 ranks on this machine (docs/scale.md).

Usage: bench/mpi/bench.py BUILD_DIR [--clients N] [--days D] [--programs P]
                          [--train-clients T] [--eval-clients E] [--bootstrap B] [--repeat R]
                          [--mem-clients M] [--mem-eval-clients ME] [--memory-only]
                          [--no-memory]
BUILD_DIR holds peerlink and peerlink-mpi (cmake -DPEERLINK_MPI=ON). Measures, with --no-timing:
  risk score --jsonl     strong: the same N clients on 1 and 2 ranks; weak: N clients per rank
  match mentors --jsonl  strong: the same P programs on 1 and 2 ranks
  risk train             strong: the same T clients on 1 and 2 ranks; weak: T clients per rank
  risk evaluate --cv 5 --baselines --bootstrap B
                         strong: the same E clients on 1 and 2 ranks; weak: E clients per rank
and the single-process peerlink with one thread (PEERLINK_THREADS=1, --threads 1) and with its
default threads, checks that every answer is byte-identical, and prints wall times (best of R),
the CPU time of every process of the run together (user + sys, of the best run), the speed-ups,
the serial fraction from Amdahl's law (f = 2 T2/T1 - 1 for two ranks) and the bytes moved per
record. Memory per rank: `risk train` on M generated clients (default 4000) and `risk evaluate` on ME (default 2000)
with 1, 2 and 3 ranks; every rank reports its peak resident memory, CPU time and the clients it
held (PEERLINK_MPI_REPORT, docs/scale.md), peerlink's own peak comes from /usr/bin/time; printed
as a Markdown table to paste into docs/scale.md (--memory-only: that part alone). OpenBLAS runs one thread per process (OPENBLAS_NUM_THREADS=1), so a rank is a core.
Keep runs short: 2 cores, shared; the defaults take about 3 minutes on an idle machine.
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OPENBLAS_NUM_THREADS="1")
CPU = {}  # command line -> CPU seconds (user + sys, every process) of its best run


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, env=None, stdin=None):
    c0 = children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env or ENV, stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()[:500]}")
    run.cpu = children_cpu() - c0  # mpirun waits for its ranks, so they count here
    return dt, p.stdout


def best(cmd, repeat, env=None):
    times, out, cpu = [], None, None
    for _ in range(repeat):
        dt, o = run(cmd, env)
        if out is not None and o != out:
            sys.exit(f"output changed between runs: {' '.join(cmd)}")
        out = o
        if not times or dt < min(times):
            cpu = run.cpu
        times.append(dt)
    CPU[" ".join(cmd)] = cpu
    return min(times), out


def mpi(build, n, args):
    return ["mpirun", "-q", "-n", str(n), "--oversubscribe", f"{build}/peerlink-mpi"] + args


def measure(build, args, ranks, repeat, label, one_thread=()):
    """Wall times (and CPU times in cpu_rows) of peerlink and peerlink-mpi on the same input;
    one_thread: extra arguments that keep one process on one core (risk evaluate --threads 1),
    given to the one-thread peerlink and to every rank."""
    rows, cpu_rows = {}, {}
    cmd = [f"{build}/peerlink"] + args + list(one_thread)
    t1, ref = best(cmd, repeat, dict(ENV, PEERLINK_THREADS="1"))
    rows["peerlink, 1 thread"] = t1
    cpu_rows["peerlink, 1 thread"] = CPU[" ".join(cmd)]
    td, out = best([f"{build}/peerlink"] + args, repeat)
    if out != ref:
        sys.exit(f"{label}: peerlink's answer depends on its threads")
    rows["peerlink, default threads"] = td
    for n in ranks:
        cmd = mpi(build, n, args + list(one_thread))
        t, out = best(cmd, repeat)
        if out != ref:
            sys.exit(f"{label}: peerlink-mpi -n {n} differs from peerlink")
        rows[f"peerlink-mpi -n {n}"] = t
        cpu_rows[f"peerlink-mpi -n {n}"] = CPU[" ".join(cmd)]
    rows["cpu"] = cpu_rows
    return rows, ref


def rank_reports(build, n, args):
    """Run peerlink-mpi -n n with PEERLINK_MPI_REPORT; every rank's report, the wall time and the
    answer."""
    prefix = tempfile.mktemp(prefix="plmpi-report-")
    env = dict(ENV, PEERLINK_MPI_REPORT=prefix)
    dt, out = run(mpi(build, n, args), env)
    reps = []
    for r in range(n):
        with open(f"{prefix}.{r}") as f:
            reps.append(json.load(f))
        os.unlink(f"{prefix}.{r}")
    return reps, dt, out


def single_peak(build, args):
    """peerlink's own peak resident memory (KB) and CPU seconds, from /usr/bin/time."""
    tf = tempfile.mktemp(prefix="plmpi-time-")
    dt, out = run(["/usr/bin/time", "-o", tf, "-f", "%M %U %S", f"{build}/peerlink"] + args)
    with open(tf) as f:
        kb, u, sy = f.read().split()[-3:]
    os.unlink(tf)
    return int(kb), float(u) + float(sy), dt, out


def memory_table(build, label, args, ranks=(1, 2, 3)):
    """Markdown rows: peerlink, then peerlink-mpi -n 1..3 with every rank's peak memory."""
    kb, cpu, dt, ref = single_peak(build, args)
    rows = [f"| {label} | `peerlink` | all | {kb / 1024:.0f} | {cpu:.2f} | {dt:.2f} |"]
    for n in ranks:
        reps, dt, out = rank_reports(build, n, args)
        if out != ref:
            sys.exit(f"{label}: peerlink-mpi -n {n} differs from peerlink")
        held = "+".join(str(r["held"]) for r in reps)
        mem = " / ".join(f"{r['maxrss_kb'] / 1024:.0f}" for r in reps)
        cpu = " / ".join(f"{r['cpu_s']:.2f}" for r in reps)
        rows.append(f"| {label} | `-n {n}` | {held} | {mem} | {cpu} | {dt:.2f} |")
    return rows


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
    ap.add_argument("--train-clients", type=int, default=1000)
    ap.add_argument("--eval-clients", type=int, default=400)
    ap.add_argument("--bootstrap", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--mem-clients", type=int, default=4000)
    ap.add_argument("--mem-eval-clients", type=int, default=2000)
    ap.add_argument("--memory-only", action="store_true")
    ap.add_argument("--no-memory", action="store_true")
    a = ap.parse_args()
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tmp = tempfile.mkdtemp(prefix="plmpi-")
    results = {}

    def cohort(n, form="--jsonl"):
        """n generated clients x --days days: JSON Lines without truth (scoring), or a labelled
        document (training, evaluation)."""
        path = f"{tmp}/cohort_{n}" + (".jsonl" if form == "--jsonl" else ".json")
        if not os.path.exists(path):
            extra = ["--jsonl", "--no-truth"] if form == "--jsonl" else ["--no-timing"]
            with open(path, "wb") as f:
                _, out = run([f"{a.build}/peerlink", "dataset", "generate", "checkins",
                              "--clients", str(n), "--days", str(a.days), "--seed", "16"] + extra)
                f.write(out)
        return path

    if not a.no_memory:
        # Memory per rank: each rank holds only its own clients (docs/scale.md).
        doc = cohort(a.mem_clients, "doc")
        m, me = a.mem_clients, a.mem_eval_clients
        table = ["| run | process | clients held per rank | peak memory per rank (MB) | "
                 "CPU per rank (s) | wall (s) |", "|---|---|---|---|---|---|"]
        table += memory_table(a.build, f"`risk train`, {m} x {a.days}",
                              ["risk", "train", "--no-timing", "--seed", "1", "-i", doc])
        table += memory_table(a.build, f"`risk evaluate --cv 5 --baselines --bootstrap "
                              f"{a.bootstrap}`, {me} x {a.days}",
                              ["risk", "evaluate", "--cv", "5", "--baselines", "--bootstrap",
                               str(a.bootstrap), "--threads", "1", "--no-timing", "-i",
                               cohort(me, "doc")])
        print(f"memory per rank (generated clients x {a.days} days: documents of "
              f"{os.path.getsize(doc) / 1e6:.1f} MB for {m} clients; OPENBLAS_NUM_THREADS=1):")
        print("\n".join(table))
        print("load average: %.1f %.1f %.1f" % os.getloadavg())
        if a.memory_only:
            return
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
    # risk train: clients split over the ranks, the fit's sums reduced (MPI_Allreduce).
    train = ["risk", "train", "--no-timing", "--seed", "1", "-i"]
    n = a.train_clients
    rows, _ = measure(a.build, train + [cohort(n, "doc")], [1, 2], a.repeat, "train strong")
    results["risk train, strong (%d clients x %d days)" % (n, a.days)] = rows
    t1, _ = best(mpi(a.build, 1, train + [cohort(n, "doc")]), a.repeat)
    t2, _ = best(mpi(a.build, 2, train + [cohort(2 * n, "doc")]), a.repeat)
    results["risk train, weak (%d clients per rank)" % n] = {
        "peerlink-mpi -n 1": t1, "peerlink-mpi -n 2": t2}
    # risk evaluate: clients, folds and bootstrap replicates split over the ranks.
    ev = ["risk", "evaluate", "--cv", "5", "--baselines", "--bootstrap", str(a.bootstrap),
          "--no-timing", "-i"]
    n = a.eval_clients
    rows, _ = measure(a.build, ev + [cohort(n, "doc")], [1, 2], a.repeat, "evaluate strong",
                      ["--threads", "1"])
    results["risk evaluate --cv 5 --baselines --bootstrap %d, strong (%d clients x %d days)"
            % (a.bootstrap, n, a.days)] = rows
    t1, _ = best(mpi(a.build, 1, ev + [cohort(n, "doc"), "--threads", "1"]), a.repeat)
    t2, _ = best(mpi(a.build, 2, ev + [cohort(2 * n, "doc"), "--threads", "1"]), a.repeat)
    results["risk evaluate, weak (%d clients per rank)" % n] = {
        "peerlink-mpi -n 1": t1, "peerlink-mpi -n 2": t2}
    for k, v in results.items():
        print(k)
        for kk, vv in v.items():
            if kk == "cpu":
                continue
            print(f"  {kk:28s} {vv:.3f} s" if isinstance(vv, float) else f"  {kk:28s} {vv}")
        if "cpu" in v:
            c = v["cpu"]
            print("  CPU, every process (user+sys) " +
                  ", ".join(f"{kk}: {vv:.2f} s" for kk, vv in c.items()))
            if "peerlink-mpi -n 1" in c and "peerlink-mpi -n 2" in c:
                f = (c["peerlink-mpi -n 2"] - c["peerlink-mpi -n 1"]) / c["peerlink-mpi -n 1"]
                print(f"  serial fraction from CPU     f = (C2 - C1)/C1 = {f:.3f} (work every rank "
                      "repeats; an upper bound: MPI polls while it waits)")
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
    print("load average at the end: %.1f %.1f %.1f (2 cores; above ~2 the times measure "
          "the scheduler)" % os.getloadavg())
    json.dump(results, open(f"{tmp}/results.json", "w"), indent=1)
    print(f"(inputs and results.json in {tmp})")


if __name__ == "__main__":
    main()
