#!/usr/bin/python3
"""make_program.py: a synthetic but realistic peer-mentoring program for peerlink.

Writes JSON for `peerlink match mentors`: mentees and alumni mentors with the profile fields of
docs/matching-mentors.md, drawn from the recommended tag vocabularies with plausible frequencies.
Deterministic: the same arguments give byte-identical output.

    make_program.py --mentees 40 --mentors 12 --seed 7 > datasets/examples/program.json
    make_program.py --mentees 2000 --mentors 500 --capacity 4 --seed 1 > big.json  (benchmark)
"""
import argparse
import json
import random
import sys

EXPERIENCES = ["dual_diagnosis", "trauma", "grief", "veteran", "incarceration", "lgbtq",
               "parenting", "homelessness", "chronic_pain", "domestic_violence", "foster_care"]
EXP_P = [0.35, 0.45, 0.2, 0.1, 0.15, 0.12, 0.3, 0.12, 0.15, 0.12, 0.06]
SUBSTANCES = ["alcohol", "opioids", "stimulants", "cannabis", "benzodiazepines", "methamphetamine"]
SUB_P = [0.6, 0.35, 0.2, 0.3, 0.1, 0.15]
GOALS = ["employment", "housing", "family", "education", "health", "legal", "sober_social_life",
         "finances"]
PATHWAYS = ["twelve_step", "smart", "faith_based", "medication_assisted", "harm_reduction"]
PATH_P = [0.4, 0.2, 0.15, 0.2, 0.05]
LIFE = ["young_adult", "student", "parent_young_children", "midlife", "older_adult", "retired"]
SLOTS = [d + "_" + t for d in ["mon", "tue", "wed", "thu", "fri", "sat"] for t in ["am", "pm", "eve"]]
TRAITS = ["openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism"]


def pick(rng, names, probs, at_least=0):
    out = [n for n, p in zip(names, probs) if rng.random() < p]
    while len(out) < at_least:
        n = rng.choice(names)
        if n not in out:
            out.append(n)
    return out


def life_stage(rng, age):
    if age < 25:
        st = ["young_adult"] + (["student"] if rng.random() < 0.4 else [])
    elif age < 40:
        st = ["parent_young_children"] if rng.random() < 0.5 else ["young_adult"]
    elif age < 60:
        st = ["midlife"] + (["parent_young_children"] if rng.random() < 0.2 else [])
    else:
        st = ["older_adult"] + (["retired"] if rng.random() < 0.5 else [])
    return st


def person(rng, pid, mentor):
    age = rng.randint(30, 68) if mentor else rng.randint(19, 64)
    gender = rng.choices(["woman", "man", "nonbinary"], [0.45, 0.5, 0.05])[0]
    p = {"id": pid}
    p["experiences"] = pick(rng, EXPERIENCES, EXP_P, 1)
    p["substances"] = pick(rng, SUBSTANCES, SUB_P, 1)
    p["goals"] = pick(rng, GOALS, [0.3] * len(GOALS), 1)
    path = rng.choices(PATHWAYS, PATH_P)[0]
    p["recovery_pathway"] = path
    if path == "medication_assisted" and rng.random() < 0.4:
        p["recovery_pathway"] = [path, "twelve_step"]
    p["life_stage"] = life_stage(rng, age)
    p["personality"] = {t: round(rng.betavariate(4, 4), 2) for t in TRAITS}
    p["age"] = age
    p["gender"] = gender
    r = rng.random()
    if r < 0.2:
        p["gender_preference"] = "same"
    elif r < 0.23 and gender != "woman":
        p["gender_preference"] = "woman"
    else:
        p["gender_preference"] = "any"
    if not mentor and rng.random() < 0.15:
        lo = max(18, age - 10 - rng.randint(0, 5))
        p["age_range"] = [lo, age + 15 + rng.randint(0, 10)]
    langs = ["en"]
    if rng.random() < 0.25:
        langs = ["es"] if rng.random() < 0.3 else ["en", "es"]
    if rng.random() < 0.04:
        langs = ["vi"] if rng.random() < 0.5 else ["en", "vi"]
    p["languages"] = langs
    m = rng.random()
    p["modalities"] = ["in_person"] if m < 0.25 else ["virtual"] if m < 0.45 else ["in_person", "virtual"]
    k = rng.randint(3, 7)
    p["availability"] = sorted(rng.sample(SLOTS, k), key=SLOTS.index)
    if mentor:
        p["capacity"] = None  # set by the caller
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mentees", type=int, default=40)
    ap.add_argument("--mentors", type=int, default=12)
    ap.add_argument("--capacity", type=int, default=0, help="fixed capacity (0: 2 to 5)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--compact", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    wm = max(2, len(str(a.mentees)))
    wk = max(2, len(str(a.mentors)))
    mentees = [person(rng, "c%0*d" % (wm, i + 1), False) for i in range(a.mentees)]
    mentors = [person(rng, "m%0*d" % (wk, j + 1), True) for j in range(a.mentors)]
    for mt in mentors:
        mt["capacity"] = a.capacity if a.capacity else rng.choice([2, 3, 3, 4, 4, 5])
    doc = {"mentees": mentees, "mentors": mentors, "objective": "total", "top": 3}
    if a.mentees >= 10 and a.mentors >= 4:
        # a couple in treatment together, a client who asked not to see a former acquaintance,
        # a pair the coordinator forbids, a pinned pair and an ongoing match
        mentees[2]["partner_id"] = mentees[5]["id"]
        mentees[5]["partner_id"] = mentees[2]["id"]
        mentees[7]["exclude"] = [mentors[1]["id"]]
        doc["forbidden"] = [[mentees[3]["id"], mentors[0]["id"]]]
        doc["current"] = [[mentees[0]["id"], mentors[2]["id"]]]
        doc["stickiness"] = 0.1
    json.dump(doc, sys.stdout, indent=None if a.compact else 1, separators=(",", ":") if a.compact else None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
