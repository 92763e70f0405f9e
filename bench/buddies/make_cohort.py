#!/usr/bin/python3
"""bench/buddies/make_cohort.py PEERLINK N SEED: a `match buddies` input of N generated clients
(`peerlink dataset generate profiles --clients N`) with current pairs (a fifth of the clients, as
after a previous round), two pinned pairs and forbidden pairs (a tenth of the clients), seeded."""
import json
import random
import subprocess
import sys


def main():
    peerlink, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    out = subprocess.run([peerlink, "dataset", "generate", "profiles", "--mentees", "0", "--mentors",
                          "0", "--clients", str(n), "--seed", str(seed)], check=True,
                         capture_output=True).stdout
    clients = json.loads(out)["clients"]
    for c in clients:
        c.pop("capacity", None)
    ids = [c["id"] for c in clients]
    rng = random.Random(seed)
    order = ids[:]
    rng.shuffle(order)
    k = max(2, n // 5) // 2 * 2
    current = [[order[i], order[i + 1]] for i in range(0, k, 2)]
    rest = order[k:]
    # two pinned pairs that pass the hard rules (compat's null marks a pair that does not)
    spec = json.dumps({"left": clients, "constraints": {"partner": False}})
    sc = json.loads(subprocess.run([peerlink, "compat"], input=spec.encode(), check=True,
                                   capture_output=True).stdout)["scores"]
    pos = {c: i for i, c in enumerate(ids)}
    pinned, used = [], set()
    for a in rest:
        for b in rest:
            if len(pinned) == 2 or a == b or a in used or b in used:
                continue
            if sc[pos[a]][pos[b]] is not None:
                pinned.append([a, b])
                used.update((a, b))
    forbidden = []
    for _ in range(max(1, n // 10)):
        a, b = rng.sample(ids, 2)
        if [a, b] not in pinned and [b, a] not in pinned and [a, b] not in current and [b, a] not in current:
            forbidden.append([a, b])
    json.dump({"clients": clients, "current": current, "pinned": pinned, "forbidden": forbidden,
               "constraints": {"partner": False}, "top": 3}, sys.stdout)


if __name__ == "__main__":
    main()
