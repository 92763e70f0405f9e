#!/usr/bin/env python3
"""verify_independent.py [PEERLINK] [PROGRAM]: recompute every score of a program from the formula
in docs/matching-mentors.md (written independently of engine/match/compat.c) and compare with
`peerlink compat` (mentees x mentors), including which pairs the hard rules make infeasible.
Run by ctest as verify.compat (needs only Python's standard library), or by hand:
    python3 tests/cli/compat/verify_independent.py build/peerlink datasets/examples/program.json
"""
import json
import subprocess
import sys

W = {"experiences": 2, "substances": 1, "goals": 1.5, "recovery_pathway": 2, "life_stage": 2,
     "languages": .5, "modalities": .5, "availability": 1, "personality": 1, "age": 1}
TAGS = ["experiences", "substances", "goals", "recovery_pathway", "life_stage", "languages",
        "modalities", "availability"]


def tags(p, c):
    v = p.get(c)
    if v is None:
        return set()
    return {v} if isinstance(v, str) else set(v)


def score(a, b):
    num = den = 0.0
    for c in TAGS:
        A, B = tags(a, c), tags(b, c)
        if A and B:
            num += W[c] * len(A & B) / len(A)  # the share of a's tags that b shares
            den += W[c]
    if "personality" in a and "personality" in b:
        K = len(a["personality"])
        d2 = sum((a["personality"][k] - b["personality"][k]) ** 2 for k in a["personality"])
        num += W["personality"] * (1 - d2 / K)
        den += W["personality"]
    if "age" in a and "age" in b:
        num += W["age"] * max(0.0, 1 - abs(a["age"] - b["age"]) / 20)
        den += W["age"]
    return num / den if den else 0.0


def feasible(a, b):
    for x, y in ((a, b), (b, a)):
        for c in ("languages", "modalities"):
            if x.get(c) and y.get(c) and not set(x[c]) & set(y[c]):
                return False
        gp = x.get("gender_preference", "any")
        if gp == "same" and (x.get("gender") is None or y.get("gender") != x.get("gender")):
            return False
        if gp not in ("same", "any") and y.get("gender") != gp:
            return False
        if "age_range" in x and not ("age" in y and x["age_range"][0] <= y["age"] <= x["age_range"][1]):
            return False
        if y["id"] in x.get("exclude", []) or x.get("partner_id") == y["id"]:
            return False
        if y["id"] in x.get("avoid", []):
            return False
    return True


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else "build/peerlink"
    prog = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "datasets/examples/program.json"))
    inp = json.dumps({"left": prog["mentees"], "right": prog["mentors"]})
    out = json.loads(subprocess.run([exe, "compat", "--no-timing"], input=inp,
                                    capture_output=True, text=True, check=True).stdout)
    bad = infeasible = 0
    for i, a in enumerate(prog["mentees"]):
        for j, b in enumerate(prog["mentors"]):
            s = out["scores"][i][j]
            if not feasible(a, b):
                infeasible += 1
                bad += s is not None
                listed = [e for e in out["infeasible"] if e["left"] == a["id"] and e["right"] == b["id"]]
                bad += len(listed) != 1 or not listed[0]["rules"]
            elif s is None or abs(s - score(a, b)) > 1e-6:
                bad += 1
    n = len(prog["mentees"]) * len(prog["mentors"])
    print("pairs %d, infeasible %d, mismatches %d" % (n, infeasible, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
