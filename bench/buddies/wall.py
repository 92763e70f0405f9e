#!/usr/bin/python3
"""Wall and CPU time of `peerlink match buddies`, whole process, several binaries interleaved.

    /usr/bin/python3 bench/buddies/wall.py PEERLINK[,OTHER_PEERLINK...] COHORT.json[,...] [REPS]

Runs every cohort with every binary in turn, REPS rounds (default 25), so a binary and the one it
is compared with share the machine's state of the moment (the README's buddies row compares the
code with an older build in the same run). Prints per cohort and binary the least, median and
90th percentile wall time and the median CPU time (user + system from wait4). Cohorts:
bench/buddies/make_cohort.py and make_ties.py. Not part of ctest.
"""
import os
import statistics
import subprocess
import sys
import time


def run_once(binary, cohort):
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "match", "buddies", "--input", cohort,
                             "--output", "/dev/null"])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{binary} failed on {cohort} (status {status})")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binaries = sys.argv[1].split(",")
    cohorts = sys.argv[2].split(",")
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    times = {}
    for _ in range(reps):
        for cohort in cohorts:
            for binary in binaries:
                times.setdefault((cohort, binary), []).append(run_once(binary, cohort))
    print("| cohort | binary | least (ms) | median (ms) | p90 (ms) | CPU median (ms) |")
    print("|---|---|---|---|---|---|")
    for (cohort, binary), runs in times.items():
        wall = sorted(w for w, _ in runs)
        cpu = [c for _, c in runs]
        print(f"| {os.path.basename(cohort)} | {binary} | {wall[0] * 1e3:.1f} | "
              f"{statistics.median(wall) * 1e3:.1f} | {wall[int(0.9 * (len(wall) - 1))] * 1e3:.1f} | "
              f"{statistics.median(cpu) * 1e3:.1f} |")


if __name__ == "__main__":
    main()
