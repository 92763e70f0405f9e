#!/usr/bin/python3
"""`match mentors` end to end against SciPy's solve alone, in instructions (callgrind).

On a loaded machine CPU times mean little (caches are shared, clocks move); instruction counts
do not depend on the load. For each program of programs.mentor_programs this counts, under
`valgrind --tool=callgrind`:
  - `peerlink match mentors --input PROGRAM --no-timing`: the whole process (start-up, parse,
    compat, solve, reasons, alternatives, print);
  - SciPy's linear_sum_assignment on the program's capacity-expanded matrix (as realistic.py
    builds it): a Python process that loads the matrix and calls it, minus the same process
    without the call, so that only the call is counted (Python's start-up, numpy's import and
    the load cancel out);
and prints the ratio. Instructions are not time (SciPy's inner loop may retire more or fewer
instructions per cycle than ours), so realistic.py's CPU times on an idle machine stay the
measure of the goal; this is the repeatable view of it.
Usage: bench/assignment/instructions.py PEERLINK        (needs valgrind; a few minutes)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from programs import mentor_programs, scored  # noqa: E402
from realistic import expanded  # noqa: E402

SCIPY = """import sys
import numpy as np
from scipy.optimize import linear_sum_assignment
e = np.load(sys.argv[1])
if sys.argv[2] == "call":
    linear_sum_assignment(e)
"""


def instructions(cmd, tmp):
    out = os.path.join(tmp, "cg.out")
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("failed: " + " ".join(cmd) + "\n" + proc.stderr[-2000:])
    found = re.search(r"Collected : (\d+)", proc.stderr)
    return int(found.group(1))


def main():
    binary = sys.argv[1]
    print("| match mentors program | mentees x mentors | SciPy solve alone (M instr) | "
          "peerlink end to end (M instr) | ratio |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "lsa.py")
        with open(script, "w") as f:
            f.write(SCIPY)
        for name, prog in mentor_programs(binary):
            path = os.path.join(tmp, "program.json")
            with open(path, "w") as f:
                json.dump(prog, f)
            cost, cap = scored(binary, tmp, prog)
            e, _ = expanded(cost, cap)
            npy = os.path.join(tmp, "e.npy")
            np.save(npy, e)
            py = [sys.executable, script, npy]
            sp = instructions(py + ["call"], tmp) - instructions(py + ["load"], tmp)
            pl = instructions([binary, "match", "mentors", "--input", path, "--no-timing"], tmp)
            print(f"| {name} | {cost.shape[0]} x {cost.shape[1]} | {sp / 1e6:.0f} | {pl / 1e6:.0f} | "
                  f"{pl / sp:.2f} |", flush=True)


if __name__ == "__main__":
    main()
