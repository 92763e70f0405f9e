#!/usr/bin/python3
"""Realistic assignment programs for bench/assignment/realistic.py (deterministic, seeded).

Each program is (name, cost, capacity): cost an n x m float array to minimise with +inf on
forbidden pairs, capacity a length-m integer array.
  - generated: `peerlink dataset generate profiles --mentees 2000 --mentors 500 --seed 9`, scored by
    `peerlink compat` (cost = -score, null = forbidden), capacities from the mentors' profiles.
  - mentor_programs(): profiles for `match mentors` end to end, the generated program and
    hand-shaped ones (hand_profiles: few tags so scores tie, capacities, hard rules).
  - hand-shaped: scores are rounded weighted sums of a few tag overlaps (so many ties), integer
    costs, capacities 1-5, 30-70 % of pairs forbidden by hard rules (language, modality, gender
    preference), in both rectangular orientations.
"""
import json
import os
import subprocess

import numpy as np


def generated_profiles(peerlink, mentees=2000, mentors=500, seed=9):
    """The generator's program: {"mentees", "mentors"} of `peerlink dataset generate profiles`."""
    prof = subprocess.run([peerlink, "dataset", "generate", "profiles", "--mentees", str(mentees),
                           "--mentors", str(mentors), "--seed", str(seed)],
                          check=True, capture_output=True).stdout
    d = json.loads(prof)
    return {"mentees": d["mentees"], "mentors": d["mentors"]}


def scored(peerlink, tmp, prog):
    """cost = -score of `peerlink compat` (inf where a hard rule forbids the pair), capacities."""
    caps = np.array([p.get("capacity", 1) for p in prog["mentors"]], dtype=np.int64)
    spec = os.path.join(tmp, "compat_in.json")
    with open(spec, "w") as f:
        json.dump({"left": prog["mentees"], "right": prog["mentors"]}, f)
    out = subprocess.run([peerlink, "compat", "--input", spec], check=True,
                         capture_output=True).stdout
    s = json.loads(out)["scores"]
    cost = np.array([[np.inf if x is None else -x for x in row] for row in s], dtype=float)
    return cost, caps


def generated(peerlink, tmp, mentees=2000, mentors=500, seed=9):
    return scored(peerlink, tmp, generated_profiles(peerlink, mentees, mentors, seed))


TAGS = ["trauma", "grief", "incarceration", "homelessness", "parenting", "veteran", "chronic_pain",
        "dual_diagnosis", "lgbtq", "domestic_violence", "job_loss", "foster_care"]
GOALS = ["work", "education", "family", "housing", "health", "finances", "legal", "spirituality"]


def hand_profiles(n, m, seed, infeasible, capmax):
    """A hand-shaped `match mentors` program of the shape of hand_shaped(): 1-3 experiences and
    goals from short lists and one of four pathways (so many scores tie), capacities 1-capmax,
    and hard rules (a minority language with some bilingual people, one-sided gender
    preferences, then modalities) tuned towards `infeasible` forbidden pairs."""
    rng = np.random.default_rng(seed)
    paths = ["twelve_step", "smart", "medication_assisted", "faith_based"]

    def person(pid, mentor):
        p = {"id": pid,
             "experiences": sorted(rng.choice(TAGS, size=int(rng.integers(1, 4)), replace=False).tolist()),
             "goals": sorted(rng.choice(GOALS, size=int(rng.integers(1, 4)), replace=False).tolist()),
             "recovery_pathway": paths[int(rng.integers(0, 4))],
             "gender": "woman" if rng.random() < 0.5 else "man"}
        minority = rng.random() < 0.2
        p["languages"] = ["spanish"] if minority else ["english"]
        if rng.random() < 0.3:
            p["languages"] = ["english", "spanish"]
        if not mentor and rng.random() < min(1.0, 2.2 * max(0.0, infeasible - 0.2)):
            p["gender_preference"] = "same"
        if rng.random() < max(0.0, infeasible - 0.45):
            p["modalities"] = ["virtual"] if rng.random() < 0.5 else ["in_person"]
        if mentor:
            p["capacity"] = int(rng.integers(1, capmax + 1))
        return p
    return {"mentees": [person("m%05d" % i, False) for i in range(n)],
            "mentors": [person("p%05d" % j, True) for j in range(m)]}


def hand_shaped(n, m, seed, infeasible, capmax, ntags=12, k=3):
    """Scores = round(10 * (2*|shared experiences| + |shared goals| + same pathway)) / 10, forbidden
    pairs from a language rule, a modality rule and one-sided gender preferences, tuned so that
    about `infeasible` of the pairs are forbidden."""
    rng = np.random.default_rng(seed)

    def tags(count):
        t = np.zeros((count, ntags), dtype=np.int64)
        for i in range(count):
            t[i, rng.choice(ntags, size=rng.integers(1, k + 1), replace=False)] = 1
        return t
    ea, eb = tags(n), tags(m)
    ga, gb = tags(n), tags(m)
    pa, pb = rng.integers(0, 4, n), rng.integers(0, 4, m)
    score = 2 * (ea @ eb.T) + (ga @ gb.T) + (pa[:, None] == pb[None, :])
    cost = -score.astype(float)
    # hard rules: language (two languages, minority share), modality, gender preference
    la = rng.random(n) < 0.2
    lb = rng.random(m) < 0.2
    lang_ok = (la[:, None] == lb[None, :]) | (rng.random((n, 1)) < 0.3) | (rng.random((1, m)) < 0.3)
    forbidden = ~lang_ok
    # fill up to the target share with modality / gender rules (row-wise blocks, not iid noise)
    share = forbidden.mean()
    if share < infeasible:
        extra = (infeasible - share) / max(1e-9, 1 - share)
        ga_ = rng.integers(0, 2, n)
        gb_ = rng.integers(0, 2, m)
        pref = rng.random(n) < min(1.0, 2 * extra)
        gender_bad = pref[:, None] & (ga_[:, None] != gb_[None, :])
        forbidden |= gender_bad
        share = forbidden.mean()
        if share < infeasible:
            extra = (infeasible - share) / max(1e-9, 1 - share)
            forbidden |= rng.random((n, m)) < extra
    cost[forbidden] = np.inf
    caps = rng.integers(1, capmax + 1, m)
    return cost, caps


def mentor_programs(peerlink):
    """`match mentors` programs: the generator's and hand-shaped ones (hand_profiles)."""
    yield "generated 2000x500 (seed 9)", generated_profiles(peerlink)
    yield "hand 2000x500, cap 1-5, 30% target", hand_profiles(2000, 500, 1, 0.3, 5)
    yield "hand 2000x500, cap 1-5, 70% target", hand_profiles(2000, 500, 2, 0.7, 5)
    yield "hand 1000x400, cap 1-3, 50% target", hand_profiles(1000, 400, 3, 0.5, 3)
    yield "hand 300x1500, cap 1-2, 50% target (wide)", hand_profiles(300, 1500, 4, 0.5, 2)


def programs(peerlink, tmp):
    yield ("generated 2000x500 (seed 9)",) + generated(peerlink, tmp)
    yield ("hand 2000x500, 30% forbidden, cap 1-5",) + hand_shaped(2000, 500, 1, 0.3, 5)
    yield ("hand 2000x500, 70% forbidden, cap 1-5",) + hand_shaped(2000, 500, 2, 0.7, 5)
    yield ("hand 1000x400, 50% forbidden, cap 1-3",) + hand_shaped(1000, 400, 3, 0.5, 3)
    yield ("hand 300x1500, 50% forbidden, cap 1-2 (wide)",) + hand_shaped(300, 1500, 4, 0.5, 2)
    yield ("hand 2000x2000, 40% forbidden, cap 1",) + hand_shaped(2000, 2000, 5, 0.4, 1)
