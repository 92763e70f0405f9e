#!/usr/bin/python3
"""profiles_structure.py [PEERLINK]: is the planted structure of `dataset generate profiles`
visible to matchers? For a program of 300 mentees and 110 mentors (seed 3), with the planted
structure (structure 0.7) and without it (structure 0), compare three matchers on the same
`peerlink compat` scores: `match mentors` (optimal total), greedy (mentees in id order each take
their best feasible mentor with a free seat) and random (each takes a random feasible mentor with a
free seat, seeded). Reports the matched count, mean score and the share of pairs inside their
planted community. Not part of ctest; docs/datasets.md quotes its output."""
import json
import os
import random
import subprocess
import sys
import tempfile

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "peerlink")


def run(args, doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        out = subprocess.run([BIN] + args + ["--input", f.name, "--no-timing"], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out)


def program(structure):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"structure": structure}, f)
    out = subprocess.run([BIN, "dataset", "generate", "profiles", "--mentees", "300", "--mentors",
                          "110", "--seed", "3", "--params", f.name, "--no-timing"], check=True,
                         capture_output=True, text=True).stdout
    os.unlink(f.name)
    return json.loads(out)


def evaluate(prog, pairs, scores, li, ri):
    com = {p["id"]: p["extra"]["community"] for p in prog["mentees"] + prog["mentors"]}
    total = sum(scores[li[a]][ri[b]] for a, b in pairs)
    same = sum(com[a] == com[b] for a, b in pairs)
    n = len(pairs)
    return n, total / n if n else 0.0, same / n if n else 0.0


def main():
    print("structure  matcher   matched  mean score  same community")
    for structure in (0.7, 0.0):
        prog = program(structure)
        compat = run(["compat"], {"left": prog["mentees"], "right": prog["mentors"]})
        scores = compat["scores"]
        li = {x: i for i, x in enumerate(compat["left_ids"])}
        ri = {x: j for j, x in enumerate(compat["right_ids"])}
        cap = {m["id"]: m.get("capacity", 1) for m in prog["mentors"]}
        opt = run(["match", "mentors"], {"mentees": prog["mentees"], "mentors": prog["mentors"]})
        results = {"optimal": [(m["mentee"], m["mentor"]) for m in opt["matches"]]}
        for name in ("greedy", "random"):
            left = dict(cap)
            rng = random.Random(1)
            pairs = []
            for a in compat["left_ids"]:
                feas = [b for b in compat["right_ids"]
                        if scores[li[a]][ri[b]] is not None and left[b] > 0]
                if not feas:
                    continue
                b = (max(feas, key=lambda b: scores[li[a]][ri[b]]) if name == "greedy"
                     else rng.choice(feas))
                left[b] -= 1
                pairs.append((a, b))
            results[name] = pairs
        for name, pairs in results.items():
            n, mean, same = evaluate(prog, pairs, scores, li, ri)
            print("%9.1f  %-8s  %7d  %10.4f  %14.3f" % (structure, name, n, mean, same))


main()
