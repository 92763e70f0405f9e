#!/usr/bin/env python3
"""optimum_check.py PEERLINK [--count N] [--seed S]: checks bench/groups/optimum.py (the MILP
reference optimum of `match groups`) against `match groups` itself on N small random programs
(default 60) that its exhaustive search proves (stats.bound "exhaustive search"): 5-12 clients of
`peerlink dataset generate profiles`, 1-3 groups, with every rule the model covers drawn at
random (requires on tags, gender and age, modality, language, required groups, social anxiety,
max_group_size, size_limit "declared", keep_apart, keep_together, exclude and partners from the
profiles). Both must agree on feasibility (exit 4), the placed count and the total (to 1e-4),
and on each group's eligible count when there is no keep_together. Exit 1 on any disagreement.
Bench only (it needs SciPy)."""
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def draw(pl, rnd, k):
    n = rnd.randint(5, 12)
    out = subprocess.run([pl, "dataset", "generate", "profiles", "--clients", str(n), "--mentees",
                          "0", "--mentors", "0", "--seed", str(1000 + k)],
                         capture_output=True, text=True, check=True).stdout
    clients = json.loads(out)["clients"]
    for c in clients:
        u = rnd.random()
        if u < 0.2:
            c["social_anxiety"] = True
        elif u < 0.3:
            c["max_group_size"] = rnd.randint(2, 5)
    ng = rnd.randint(1, 3)
    while (ng + 1) ** n > 2e6:  # small enough for the exhaustive search
        ng -= 1
    rules = [{}, {}, {"requires": {"gender": "woman"}}, {"requires": {"age": [18, 40]}},
             {"requires": {"experiences": ["trauma", "domestic_violence", "grief"]}},
             {"modality": "virtual"}, {"modality": "in_person"}, {"language": "spanish"},
             {"requires": {"gender": ["man", "nonbinary"], "age": [30, 99]}}]
    groups = []
    for g in range(ng):
        lo = rnd.randint(1, 4)
        grp = dict(rnd.choice(rules), id=f"g{g}", size=[lo, lo + rnd.randint(0, 4)])
        if rnd.random() < 0.15:
            grp["required"] = True
        groups.append(grp)
    prog = {"clients": clients, "groups": groups}
    ids = [c["id"] for c in clients]
    if rnd.random() < 0.4:
        prog["keep_apart"] = [rnd.sample(ids, 2) for _ in range(rnd.randint(1, 2))]
    if rnd.random() < 0.4:
        prog["keep_together"] = [rnd.sample(ids, 2) for _ in range(rnd.randint(1, 2))]
    if rnd.random() < 0.3:
        a, b = rnd.sample(range(n), 2)
        clients[a]["exclude"] = [ids[b]]
    if rnd.random() < 0.3:
        prog["size_limit"] = "declared"
    if rnd.random() < 0.3:
        prog["social_anxiety_max"] = rnd.randint(2, 5)
    return prog


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def main():
    args = sys.argv[1:]
    count, seed = 60, 1
    for flag in ("--count", "--seed"):
        if flag in args:
            k = args.index(flag)
            if flag == "--count":
                count = int(args[k + 1])
            else:
                seed = int(args[k + 1])
            del args[k:k + 2]
    pl = args[0]
    rnd = random.Random(seed)
    bad = agree = infeasible = 0
    for k in range(count):
        prog = draw(pl, rnd, k)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(prog, f)
            path = f.name
        try:
            rc_h, out_h, _ = run([pl, "match", "groups", "--input", path])
            rc_o, out_o, err_o = run([sys.executable, os.path.join(HERE, "optimum.py"), pl, path,
                                      "--time-limit", "60"])
        finally:
            os.unlink(path)
        if rc_h == 4 or rc_o == 4:
            infeasible += 1
            if rc_h != rc_o:
                print(f"program {k}: match groups exit {rc_h}, optimum.py exit {rc_o}: {err_o.strip()}")
                bad += 1
            continue
        if rc_h != 0 or rc_o != 0:
            print(f"program {k}: exit codes {rc_h} / {rc_o}: {err_o.strip()}")
            bad += 1
            continue
        h, o = json.loads(out_h), json.loads(out_o)
        msg = []
        if h["stats"]["bound"] != "exhaustive search":
            msg.append("not proven by exhaustive search")
        if h["summary"]["placed"] != o["placed"] or abs(h["summary"]["objective"] - o["total"]) > 1e-4:
            msg.append(f"match groups {h['summary']['placed']} / {h['summary']['objective']}, "
                       f"optimum {o['placed']} / {o['total']}")
        if "keep_together" not in prog and [g["eligible"] for g in h["groups"]] != o["eligible"]:
            msg.append(f"eligible {[g['eligible'] for g in h['groups']]} / {o['eligible']}")
        if msg:
            print(f"program {k}: " + "; ".join(msg))
            bad += 1
        else:
            agree += 1
    print(f"{count} programs: {agree} agree, {infeasible} infeasible (both exit 4), {bad} differ")
    sys.exit(1 if bad else 0)


main()
