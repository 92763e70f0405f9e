#!/usr/bin/env python3
"""make_varied.py PROFILES.json SEED > PROGRAM.json: more `match groups` programs of realistic shape
(issue 13), beside make_realistic.py's two fixed shapes, so that the seed-stability goal is checked
on programs nobody tuned the search on. From the clients of `peerlink dataset generate profiles
--clients N` (N from 10 to 60) it draws, with its own generator seeded by SEED:

- about one group per 6.5 clients, from a pool of realistic specialised groups: women's and men's
  groups, young adults (18-30) and older adults (50+), dual diagnosis, trauma (in person), a
  women's trauma group, a Spanish-language group, virtual and general groups; sizes as IOPs run
  them (minimum 3-5, maximum 6-8);
- one or two groups marked `required` (only among those whose own rules leave enough clients);
- a few socially anxious clients (`social_anxiety`, limit 6) and a few "silent" clients whose
  profiles carry no experiences, goals or substances (new clients who said little at intake);
- now and then a keep-apart pair.

Deterministic for a given PROFILES.json and SEED."""
import json
import random
import sys


def eligible(c, g):
    """Who may join g by its requires/modality/language (the sizes and hard rules aside)."""
    req = g.get("requires", {})
    if "gender" in req and c.get("gender") != req["gender"]:
        return False
    if "age" in req and not (c.get("age") is not None and req["age"][0] <= c["age"] <= req["age"][1]):
        return False
    if "experiences" in req and not set(req["experiences"]) & set(c.get("experiences", [])):
        return False
    if "language" in g and g["language"] not in c.get("languages", []):
        return False
    if "modality" in g and c.get("modalities") and g["modality"] not in c["modalities"]:
        return False
    return True


def main():
    src = json.load(open(sys.argv[1]))
    rnd = random.Random(int(sys.argv[2]))
    clients = src["clients"]
    for c in clients:
        u = rnd.random()
        if u < 0.10:
            c["social_anxiety"] = True
        elif u < 0.18:  # silent: said little at intake
            for k in ("experiences", "goals", "substances"):
                c[k] = []
    pool = [
        {"id": "women", "requires": {"gender": "woman"}},
        {"id": "men", "requires": {"gender": "man"}},
        {"id": "young-adults", "requires": {"age": [18, 30]}},
        {"id": "older-adults", "requires": {"age": [50, 99]}},
        {"id": "dual-diagnosis", "requires": {"experiences": ["dual_diagnosis"]}},
        {"id": "trauma", "modality": "in_person",
         "requires": {"experiences": ["trauma", "domestic_violence"]}},
        {"id": "women-trauma",
         "requires": {"gender": "woman", "experiences": ["trauma", "domestic_violence"]}},
        {"id": "spanish", "language": "spanish"},
        {"id": "virtual", "modality": "virtual"},
        {"id": "general-a"},
        {"id": "general-b", "modality": "in_person"},
        {"id": "general-c"},
    ]
    ng = max(2, min(len(pool), round(len(clients) / 6.5)))
    groups = []
    for g in rnd.sample(pool, ng):
        lo = rnd.choice([3, 3, 4, 4, 5])
        g["size"] = [lo, rnd.choice([6, 7, 8]) if lo < 5 else 8]
        groups.append(g)
    if not any(g["id"].startswith("general") for g in groups):
        groups[-1] = {"id": "general-a", "size": [4, 8]}
    can = [g for g in groups if sum(eligible(c, g) for c in clients) >= 2 * g["size"][0]]
    for g in rnd.sample(can, min(len(can), rnd.choice([1, 1, 2]))):
        g["required"] = True
    prog = {"clients": clients, "groups": groups, "social_anxiety_max": 6}
    if rnd.random() < 0.5 and len(clients) >= 4:
        a, b = rnd.sample([c["id"] for c in clients], 2)
        prog["keep_apart"] = [[a, b]]
    json.dump(prog, sys.stdout)
    sys.stdout.write("\n")


main()
