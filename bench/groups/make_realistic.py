#!/usr/bin/env python3
"""make_realistic.py PROFILES.json > PROGRAM.json: a hand-shaped `match groups` program of the kind
coordinators bring (issue 13): the clients of `peerlink dataset generate profiles --clients N`
with a few socially anxious clients, and nine declared groups, six of them specialised (trauma,
a women's trauma group that must run, women, young adults, dual diagnosis, a Spanish-language
group) beside two general groups and a virtual one. Below 24 clients, nine groups cannot all
form, so a small program's shape is used instead: four groups, a women's group that must run, a
trauma group, a Spanish-language group and a general one. Deterministic: no randomness of its
own."""
import json
import sys


def main():
    src = json.load(open(sys.argv[1]))
    clients = src["clients"]
    for k, c in enumerate(clients):
        if k % 9 == 4:  # every ninth client, deterministically
            c["social_anxiety"] = True
    small = [
        {"id": "women-thu", "size": [3, 6], "required": True, "requires": {"gender": "woman"}},
        {"id": "trauma-tue", "size": [3, 6], "modality": "in_person",
         "requires": {"experiences": ["trauma", "domestic_violence"]}},
        {"id": "spanish", "size": [3, 5], "language": "spanish"},
        {"id": "general-wed", "size": [4, 8]},
    ]
    groups = [
        {"id": "trauma-tue", "size": [4, 7], "modality": "in_person",
         "requires": {"experiences": ["trauma", "domestic_violence"]}},
        {"id": "women-trauma-thu", "size": [4, 6], "required": True,
         "requires": {"gender": "woman", "experiences": ["trauma", "domestic_violence"]}},
        {"id": "women-mon", "size": [4, 8], "requires": {"gender": "woman"}},
        {"id": "young-adults", "size": [4, 8], "requires": {"age": [18, 30]}},
        {"id": "dual-diagnosis", "size": [4, 7], "requires": {"experiences": ["dual_diagnosis"]}},
        {"id": "spanish", "size": [3, 6], "language": "spanish"},
        {"id": "general-mon", "size": [5, 8], "modality": "in_person"},
        {"id": "general-wed", "size": [5, 8]},
        {"id": "virtual-fri", "size": [3, 6], "modality": "virtual"},
    ]
    if len(clients) < 24:
        groups = small
    json.dump({"clients": clients, "groups": groups, "social_anxiety_max": 6}, sys.stdout)
    sys.stdout.write("\n")


main()
