#!/usr/bin/env python3
"""bench.py: the four HTML reports at scale (issue 15): a 2,000-client cohort, file sizes, the time
`peerlink report` takes, and the time headless Chromium takes to open each page (navigation to
the load event, median of 3, through the DevTools protocol as in tests/browser/).

    /usr/bin/python3 bench/report/bench.py build/peerlink [--clients 2000] [--keep DIR [--reuse]]

Inputs, all generated with fixed seeds: `dataset generate checkins --clients N` scored by the
default model (risk), the same cohort through `risk evaluate --bootstrap 20` plus a synthetic
per-row prediction file of one row per client-day (evaluation; the curves are then drawn from
it), `dataset generate profiles --mentees N --clients N` through match mentors, buddies and groups
(matches), and one N-day series of the cohort's first client through `risk ews` (ews).
Goal: every file under 10 MB and open in under 2 s.
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests", "browser"))
import cdp  # noqa: E402


def run(args, out=None):
    t0 = time.monotonic()
    res = subprocess.run(args + (["-o", out] if out else []), capture_output=True)
    if res.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {res.returncode}: {res.stderr.decode()[:300]}")
    return time.monotonic() - t0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    peerlink = os.path.abspath(sys.argv[1])
    n = int(sys.argv[sys.argv.index("--clients") + 1]) if "--clients" in sys.argv else 2000
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    work = keep or tempfile.mkdtemp(prefix="pl_bench_report_")
    os.makedirs(work, exist_ok=True)
    j = lambda name: os.path.join(work, name)  # noqa: E731
    model = os.path.join(SRC, "models", "default.json")

    reuse = "--reuse" in sys.argv and os.path.exists(j("groups.json"))
    print(f"{'reusing' if reuse else 'generating'} inputs for {n} clients in {work} ...", flush=True)
    if not reuse:
        generate(peerlink, n, j, model)
    days = len(next(iter(json.load(open(j("cohort.json")))["clients"][0]["measures"].values())))
    reports = make_reports(peerlink, n, days, j, model)
    table(reports, j)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)


def generate(peerlink, n, j, model):
    run([peerlink, "dataset", "generate", "checkins", "--clients", str(n), "--no-truth", "--seed", "15"], j("cohort.json"))
    run([peerlink, "risk", "score", "-i", j("cohort.json"), "--model", model], j("score.json"))
    run([peerlink, "risk", "evaluate", "-i", j("cohort.json"), "--model", model, "--bootstrap", "20"], j("evaluate.json"))
    cohort = json.load(open(j("cohort.json")))
    days = len(next(iter(cohort["clients"][0]["measures"].values())))
    rng = random.Random(15)
    with open(j("rows.jsonl"), "w") as f:  # synthetic predictions: one row per client-day
        for _ in range(n * days):
            y = 1 if rng.random() < 0.03 else 0
            f.write('{"risk": %.6f, "label": %d}\n' % (min(0.999, rng.betavariate(1 + y, 30)), y))
    series = cohort["clients"][0]["measures"]["craving"]
    while len(series) < n:
        series = series + series
    json.dump({"series": series[:n]}, open(j("ews_in.json"), "w"))
    del cohort
    run([peerlink, "risk", "ews", "-i", j("ews_in.json")], j("ews.json"))
    run([peerlink, "dataset", "generate", "profiles", "--mentees", str(n), "--mentors", str(max(2, n // 8)),
         "--clients", str(n), "--seed", "15"], j("program.json"))
    prog = json.load(open(j("program.json")))
    json.dump({"mentees": prog["mentees"], "mentors": prog["mentors"]}, open(j("mentors_in.json"), "w"))
    json.dump({"clients": prog["clients"]}, open(j("buddies_in.json"), "w"))
    json.dump({"clients": prog["clients"], "group_size": [8, 10]}, open(j("groups_in.json"), "w"))
    del prog
    for kind in ("mentors", "buddies", "groups"):
        run([peerlink, "match", kind, "-i", j(kind + "_in.json")], j(kind + ".json"))


def make_reports(peerlink, n, days, j, model):
    return {
        "risk (100 client sections, the default)": [peerlink, "report", "risk", "-i", j("score.json"),
                                                     "--checkins", j("cohort.json"), "--model", model],
        f"risk (all {n} client sections)": [peerlink, "report", "risk", "-i", j("score.json"),
                                            "--checkins", j("cohort.json"), "--model", model, "--detail", str(n)],
        "matches (mentors + buddies + groups)": [peerlink, "report", "matches", "-i", j("mentors.json"),
                                                 "--buddies", j("buddies.json"), "--groups", j("groups.json")],
        f"evaluation (+ {n * days} rows)": [peerlink, "report", "evaluation", "-i", j("evaluate.json"),
                                            "--rows", j("rows.jsonl")],
        f"ews ({n}-day series)": [peerlink, "report", "ews", "-i", j("ews.json"), "--series", j("ews_in.json")],
    }


def table(reports, j):
    chromium = cdp.find_chromium()
    browser = cdp.Browser(chromium) if chromium else None
    load = os.getloadavg()[0]
    print(f"\nload average when the table starts: {load:.1f} (2 cores)")
    print("\n| report | file | `peerlink report` (wall) | open in Chromium: wall, median of 3 | Chromium CPU per open |")
    print("|---|---|---|---|---|")
    try:
        for k, (name, args) in enumerate(reports.items()):
            out = j(f"report{k}.html")
            build = run(args, out)
            size = os.path.getsize(out) / 1e6
            if browser and size > 10:  # over the goal: one try, and a page that never loads is a result
                try:
                    c0 = browser.cpu_seconds()
                    wall = browser.open("file://" + out, 1000, 1300, timeout=180)
                    shown = f"{wall:.2f} s (one open) | {browser.cpu_seconds() - c0:.2f} s"
                except (TimeoutError, OSError):
                    shown = "not loaded within 180 s | "
                    browser.close()
                    browser = cdp.Browser(cdp.find_chromium())
            elif browser:
                opens, cpus = [], []
                for _ in range(3):
                    c0 = browser.cpu_seconds()
                    opens.append(browser.open("file://" + out, 1000, 1300))
                    cpus.append(browser.cpu_seconds() - c0)
                shown = f"{statistics.median(opens):.2f} s | {statistics.median(cpus):.2f} s"
                if browser.requests("file://" + out) or browser.console_problems():
                    shown += " (console problems or requests!)"
            else:
                shown = "chromium not installed | "
            print(f"| {name} | {size:.1f} MB | {build:.2f} s | {shown} |", flush=True)
    finally:
        if browser:
            browser.close()


if __name__ == "__main__":
    main()
