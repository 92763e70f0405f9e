#!/usr/bin/env python3
"""optimum.py PEERLINK PROGRAM.json [--time-limit S] [--compare] [--seed N]: the optimum of a
`match groups` program by mixed-integer programming (issue 13), a reference for the heuristic.

Every rule `match groups` applies is modelled (docs/groups.md section 3): the pair scores and the
pairs that may not share a group come from `peerlink compat` on the clients (hard rules,
`exclude`, partners, `avoid`, `prefers`: a null score), beside `keep_apart`; eligibility from each
group's `requires` (tag fields any-of, `gender`, `age`), `modality` and `language`; size ranges;
`required` groups; the clients' size limits (`social_anxiety` with `social_anxiety_max`,
`max_group_size`; `size_limit` "final" or "declared"); `keep_together`. Programs with features not
modelled here (facilitators, exposure plans, current rosters) are refused with a message rather
than given a wrong optimum.

The model (a linearised quadratic assignment, as for the maximally diverse grouping problem;
Gallego, Laguna, Marti & Duarte 2013): x[i,g] = 1 when client i is in group g, y[g] = 1 when g
forms, and for every pair of clients that may share group g with a positive score a continuous
z[i,j,g] <= x[i,g], x[j,g] (z = x[i,g] x[j,g] at an optimum), with sum_j z[i,j,g] <= (size - 1)
x[i,g] to tighten the relaxation. Lexicographic, in two solves by HiGHS (scipy.optimize.milp):
first the most clients placed, then, with that many placed, the largest total.

The grouping found is checked again, rule by rule, by code that does not share the model's
constraints (`check`), and its total recomputed from the scores. With --compare, `match groups`
(seed N, default the program's) is run too, its answer checked by the same code, and both
printed: on programs the exhaustive search proves (stats.bound "exhaustive search") they must
agree. Prints a JSON object on standard output (placed, total, status, dual bound, HiGHS seconds,
the groups), which bench/groups/seeds.py reads with --optimum. Bench only: never run by tests.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

UNMODELLED = {
    "facilitators": "facilitators (staffing)",
    "current": "current rosters",
    "rematch": "current rosters (rematch)",
}
TAG_FIELDS = ("experiences", "substances", "goals", "recovery_pathway", "life_stage", "languages",
              "modalities", "availability")


def refuse(msg, code=2):
    """Exit with a message: 2 for what this script does not do, 4 (as `match groups`) for a
    program no grouping can satisfy."""
    sys.stderr.write(f"optimum.py: {msg}\n")
    sys.exit(code)


def tags(c, field):
    v = c.get(field)
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def check_supported(prog):
    for k, what in UNMODELLED.items():
        if k in prog:
            refuse(f"the program uses {what} ('{k}'), which this model does not cover")
    for k, c in enumerate(prog["clients"]):
        if "exposure" in c:
            refuse(f"client {k} has an exposure plan ('exposure'), which this model does not cover")
    for k, g in enumerate(prog.get("groups", [])):
        if "needs" in g:
            refuse(f"group {k} has staffing needs ('needs'), which this model does not cover")


def compat_scores(pl, prog):
    """The symmetric score matrix `match groups` sees (None = the pair may not share a group)."""
    req = {"left": prog["clients"]}
    for k in ("weights", "constraints", "vocabulary"):
        if k in prog:
            req[k] = prog[k]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(req, f)
        path = f.name
    try:
        out = subprocess.run([pl, "compat", "--input", path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        refuse(f"peerlink compat failed: {out.stderr.strip()}")
    return json.loads(out.stdout)["scores"]


def group_list(prog):
    """The groups as dicts with id, min, max and rules; the group_size form gives identical ones."""
    n = len(prog["clients"])
    if "groups" in prog:
        return [dict(g, min=g["size"][0], max=g["size"][1]) for g in prog["groups"]], False
    lo, hi = prog["group_size"]
    count = prog.get("group_count", max(1, math.ceil(n / hi)))
    return [{"id": str(k), "min": lo, "max": hi} for k in range(count)], True


def meets(c, req):
    """A group's requires: every field listed, any one of its values."""
    for field, want in req.items():
        if field == "age":
            a = c.get("age")
            if a is None or not (want[0] <= a <= want[1]):
                return False
            continue
        want = [want] if isinstance(want, str) else want
        have = [c.get("gender")] if field == "gender" else tags(c, field)
        if not set(want) & set(h for h in have if h is not None):
            return False
    return True


def admits(c, g):
    """Eligibility by the group's own rules: requires, modality (clients listing none may
    join), language (clients listing none may not)."""
    if not meets(c, g.get("requires", {})):
        return False
    if "modality" in g and tags(c, "modalities") and g["modality"] not in tags(c, "modalities"):
        return False
    if "language" in g and g["language"] not in tags(c, "languages"):
        return False
    return True


def size_limit(c, amax):
    """A client's group-size limit (0 = none): max_group_size, and social_anxiety_max for the
    socially anxious, the smaller of the two."""
    lim = c.get("max_group_size", 0)
    if c.get("social_anxiety") and (lim == 0 or lim > amax):
        lim = amax
    return lim


class Program:
    def __init__(self, pl, prog):
        check_supported(prog)
        self.clients = prog["clients"]
        self.ids = [c["id"] for c in self.clients]
        pos = {cid: k for k, cid in enumerate(self.ids)}
        self.n = len(self.clients)
        self.groups, self.identical = group_list(prog)
        self.m = len(self.groups)
        self.declared = prog.get("size_limit", "final") == "declared"
        amax = prog.get("social_anxiety_max", 6)
        self.limit = [size_limit(c, amax) for c in self.clients]
        self.S = compat_scores(pl, prog)
        self.apart = {frozenset((pos[a], pos[b])) for a, b in prog.get("keep_apart", [])}
        self.together = [(pos[a], pos[b]) for a, b in prog.get("keep_together", [])]
        self.elig = [[self.may_join(i, g) for g in range(self.m)] for i in range(self.n)]
        self.check_together_sets()

    def check_together_sets(self):
        """A keep-together set (chains join) holding two clients who may not share a group is
        infeasible, as in `match groups` (exit 4)."""
        root = list(range(self.n))

        def find(a):
            while root[a] != a:
                a = root[a]
            return a
        for a, b in self.together:
            root[find(a)] = find(b)
        for i in range(self.n):
            for j in range(i + 1, self.n):
                if find(i) == find(j) and self.conflict(i, j):
                    refuse("a keep_together set holds two clients who may not share a group", 4)

    def may_join(self, i, g):
        grp, lim = self.groups[g], self.limit[i]
        if not admits(self.clients[i], grp):
            return False
        if lim == 0:
            return True
        return lim >= grp["min"] and (not self.declared or grp["max"] <= lim)

    def conflict(self, i, j):
        return self.S[i][j] is None or frozenset((i, j)) in self.apart


class Model:
    """The MILP's variables and rows: x[i,g] (binary, eligible pairs), y[g] (binary) and, in the
    second stage, z[i,j,g] (continuous) for every pair that may share g."""

    def __init__(self, P, placed_at_least=None):
        self.P = P
        self.xv, self.zv = {}, {}
        self.rows, self.cols, self.vals, self.lo, self.hi = [], [], [], [], []
        for i in range(P.n):
            for g in range(P.m):
                if P.elig[i][g]:
                    self.xv[i, g] = len(self.xv)
        self.nx = len(self.xv)
        self.yv = {g: self.nx + g for g in range(P.m)}
        self.nv = self.nx + P.m
        self.base_rows()
        self.c = None
        if placed_at_least is None:
            self.c = {k: -1.0 for k in self.xv.values()}  # most placed
        else:
            self.pair_rows(placed_at_least)

    def row(self, entries, lb, ub):
        r = len(self.lo)
        for c, v in entries:
            self.rows.append(r)
            self.cols.append(c)
            self.vals.append(v)
        self.lo.append(lb)
        self.hi.append(ub)

    def base_rows(self):
        P, xv, yv = self.P, self.xv, self.yv
        for i in range(P.n):  # at most one group
            e = [(xv[i, g], 1) for g in range(P.m) if (i, g) in xv]
            if e:
                self.row(e, -np.inf, 1)
        for g, grp in enumerate(P.groups):  # min y <= size <= max y
            mem = [(xv[i, g], 1) for i in range(P.n) if (i, g) in xv]
            self.row(mem + [(yv[g], -grp["min"])], 0, np.inf)
            self.row(mem + [(yv[g], -grp["max"])], -np.inf, 0)
            for i in range(P.n):  # a member's limit on the final size
                lim = P.limit[i]
                if (i, g) in xv and lim and lim < grp["max"] and not P.declared:
                    self.row(mem + [(xv[i, g], grp["max"] - lim)], -np.inf, grp["max"])
            for i in range(P.n):
                for j in range(i + 1, P.n):
                    if (i, g) in xv and (j, g) in xv and P.conflict(i, j):
                        self.row([(xv[i, g], 1), (xv[j, g], 1)], -np.inf, 1)
        for a, b in P.together:  # same group or both out
            for g in range(P.m):
                e = [(xv[k, g], s) for k, s in ((a, 1), (b, -1)) if (k, g) in xv]
                if e:
                    self.row(e, 0, 0)
        if P.identical:  # identical groups: each one's first member after the previous one's
            for g in range(1, P.m):
                for i in range(P.n):
                    if (i, g) in xv:
                        self.row([(xv[i, g], 1)] + [(xv[k, g - 1], -1) for k in range(i)
                                                    if (k, g - 1) in xv], -np.inf, 0)

    def pair_rows(self, placed_at_least):
        P, xv = self.P, self.xv
        self.row([(k, 1) for k in xv.values()], placed_at_least, np.inf)
        for i in range(P.n):
            for j in range(i + 1, P.n):
                if P.conflict(i, j) or P.S[i][j] == 0:
                    continue
                for g in range(P.m):
                    if (i, g) in xv and (j, g) in xv:
                        self.zv[i, j, g] = self.nv
                        self.nv += 1
        self.c = {}
        by_member = {}
        for (i, j, g), k in self.zv.items():
            s = P.S[i][j]
            self.c[k] = -s
            if s < 0:  # a negative score is paid whenever both are in
                self.row([(k, 1), (xv[i, g], -1), (xv[j, g], -1)], -1, np.inf)
                continue
            self.row([(k, 1), (xv[i, g], -1)], -np.inf, 0)  # z <= x[i,g], x[j,g]
            self.row([(k, 1), (xv[j, g], -1)], -np.inf, 0)
            by_member.setdefault((i, g), []).append(k)
            by_member.setdefault((j, g), []).append(k)
        for (i, g), ks in by_member.items():  # at most size - 1 group mates
            cap = P.groups[g]["max"] - 1
            if P.limit[i]:
                cap = min(cap, P.limit[i] - 1)
            self.row([(k, 1) for k in ks] + [(self.xv[i, g], -cap)], -np.inf, 0)

    def args(self, integral=True):
        c = np.zeros(self.nv)
        for k, v in self.c.items():
            c[k] = v
        A = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lo), self.nv)).tocsr()
        integ = np.zeros(self.nv)
        if integral:
            integ[:self.nx + self.P.m] = 1
        xl = np.zeros(self.nv)
        for g, grp in enumerate(self.P.groups):
            if grp.get("required"):
                xl[self.yv[g]] = 1
        return dict(c=c, constraints=LinearConstraint(A, self.lo, self.hi), integrality=integ,
                    bounds=Bounds(xl, np.ones(self.nv)))


def solve(P, time_limit):
    """Lexicographic optimum: the most placed, then the largest total, each by HiGHS."""
    t0 = time.time()
    r1 = milp(**Model(P).args(), options={"time_limit": time_limit, "mip_rel_gap": 0})
    if r1.x is None:
        if r1.status == 2:
            refuse("no grouping keeps every rule (a required group cannot be formed)", 4)
        refuse(f"HiGHS found no grouping within the time limit ({r1.message})")
    placed = int(round(-r1.fun))
    placed_proven = r1.status == 0
    M = Model(P, placed)
    left = max(1.0, time_limit - (time.time() - t0))
    r2 = milp(**M.args(), options={"time_limit": left, "mip_rel_gap": 1e-9})
    if r2.x is None:
        refuse(f"HiGHS found no grouping of {placed} clients within the time limit ({r2.message})")
    assign = {}
    for (i, g), k in M.xv.items():
        if r2.x[k] > 0.5:
            assign[i] = g
    bound = -r2.mip_dual_bound if getattr(r2, "mip_dual_bound", None) is not None else None
    return assign, {"placed_proven": placed_proven, "total_proven": r2.status == 0,
                    "dual_bound": bound,
                    "highs_seconds": round(time.time() - t0, 2)}


def check(P, assign):
    """Every rule of docs/groups.md section 3, on a grouping {client: group}, independently of
    the model; returns (placed, total) or raises AssertionError naming the rule."""
    members = [[] for _ in range(P.m)]
    for i, g in assign.items():
        members[g].append(i)
    total = 0.0
    for g, mem in enumerate(members):
        grp = P.groups[g]
        assert mem or not grp.get("required"), f"required group {grp['id']} not formed"
        if not mem:
            continue
        assert grp["min"] <= len(mem) <= grp["max"], f"group {grp['id']} size {len(mem)}"
        for i in mem:
            assert admits(P.clients[i], grp), f"{P.ids[i]} not admitted to {grp['id']}"
            lim = P.limit[i]
            if lim:
                assert len(mem) <= lim, f"{P.ids[i]}'s size limit in {grp['id']}"
                assert not P.declared or grp["max"] <= lim, f"{P.ids[i]}'s declared limit"
        for a in range(len(mem)):
            for b in range(a + 1, len(mem)):
                i, j = mem[a], mem[b]
                assert P.S[i][j] is not None, f"{P.ids[i]} and {P.ids[j]} may not share a group"
                assert frozenset((i, j)) not in P.apart, f"keep_apart {P.ids[i]} {P.ids[j]}"
                total += P.S[i][j]
    for a, b in P.together:
        assert assign.get(a) == assign.get(b), f"keep_together {P.ids[a]} {P.ids[b]}"
    return len(assign), total


def run_match_groups(pl, path, seed):
    cmd = [pl, "match", "groups", "--input", path]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main():
    args = sys.argv[1:]
    opts = {"--time-limit": 600.0, "--seed": None}
    compare = "--compare" in args
    if compare:
        args.remove("--compare")
    for k in list(opts):
        if k in args:
            at = args.index(k)
            opts[k] = float(args[at + 1]) if k == "--time-limit" else int(args[at + 1])
            del args[at:at + 2]
    if len(args) != 2:
        refuse("usage: optimum.py PEERLINK PROGRAM.json [--time-limit S] [--compare] [--seed N]")
    pl, path = args
    prog = json.load(open(path))
    P = Program(pl, prog)
    assign, info = solve(P, opts["--time-limit"])
    placed, total = check(P, assign)
    res = {"program": os.path.basename(path), "clients": P.n, "placed": placed,
           "total": round(total, 4), **info,
           "eligible": [sum(P.elig[i][g] for i in range(P.n)) for g in range(P.m)],
           "gap": None if info["dual_bound"] is None or info["total_proven"] else
           round((info["dual_bound"] - total) / info["dual_bound"], 6),
           "groups": {P.groups[g]["id"]: [P.ids[i] for i in sorted(assign) if assign[i] == g]
                      for g in range(P.m)}}
    if compare:
        a = run_match_groups(pl, path, opts["--seed"])
        pos = {cid: k for k, cid in enumerate(P.ids)}
        gpos = {(g.get("id") if "id" in g else str(g.get("index"))): k
                for k, g in enumerate(a["groups"])}
        heur = {}
        for g in a["groups"]:
            for mem in g.get("members", []):
                heur[pos[mem["id"]]] = gpos[g.get("id") if "id" in g else str(g.get("index"))]
        hp, ht = check(P, heur)
        res["match_groups"] = {"placed": hp, "total": round(ht, 4),
                               "objective": a["summary"]["objective"],
                               "bound": a["stats"]["bound"],
                               "eligible": [g.get("eligible") for g in a["groups"]]}
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write("\n")
    sys.stderr.write(f"{res['program']}: placed {placed}"
                     f"{'' if info['placed_proven'] else ' (not proven)'}, total {total:.4f}"
                     f"{'' if info['total_proven'] else ' (not proven, bound %.4f)' % (info['dual_bound'] or float('nan'))}"
                     f", HiGHS {info['highs_seconds']} s\n")


main()
