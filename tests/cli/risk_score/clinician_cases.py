#!/usr/bin/env python3
"""Write the input.json of the clinician scenario cases (tests/cli/risk_score/clinician_*).

Histories are written by hand, day by day, the way a clinician would describe them; this script
only spells them out as columnar check-ins. Every client starts on 2026-03-02 (a Monday) and the
request is scored as of one date. What a clinician would conclude is in each case's README and is
checked by tests/unit/test_risk.c (clinician_scenarios) against the shipped model.
Run from the repository root: python3 tests/cli/risk_score/clinician_cases.py
"""
import json
import os

START = "2026-03-02"
HERE = os.path.dirname(os.path.abspath(__file__))


def steady(n, craving=2, mood=7, stress=3, anxiety=3, sleep=7.5, quality=7):
    return {"craving": [craving] * n, "mood": [mood] * n, "stress": [stress] * n,
            "anxiety": [anxiety] * n, "sleep_hours": [sleep] * n, "sleep_quality": [quality] * n}


def wobble(xs, amp=1):
    """Small day-to-day variation, as real reports have (+1, 0, -1, 0, ...)."""
    return [None if x is None else max(0, min(10, x + (amp if k % 4 == 0 else -amp if k % 4 == 2 else 0)))
            for k, x in enumerate(xs)]


def client(cid, m, n, **extra):
    ms = {k: wobble(v) if k in ("craving", "mood", "stress", "anxiety") else v for k, v in m.items()}
    c = {"id": cid, "start": START, "enrolled": START, "measures": ms}
    c.update(extra)
    return c


def sessions(n, attended=True):
    # program-recorded attendance Monday to Thursday
    return [(attended if (k % 7) < 4 else None) for k in range(n)]


def write(case, clients, as_of):
    d = os.path.join(HERE, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input.json"), "w") as f:
        json.dump({"as_of": as_of, "clients": clients}, f, indent=1)
        f.write("\n")


# 1. Deteriorates then goes quiet: 4 calm weeks, 10 days of rising craving and stress and falling
#    mood and sleep, then 6 days without a check-in (attendance stops too). A twin who stays calm
#    and checks in daily is scored alongside, and a third who went quiet 20 days ago.
n = 44
m = steady(n)
for k in range(28, 38):
    g = k - 27
    m["craving"][k] = 2 + round(0.5 * g)
    m["stress"][k] = 3 + round(0.4 * g)
    m["anxiety"][k] = 3 + round(0.3 * g)
    m["mood"][k] = 7 - round(0.4 * g)
    m["sleep_hours"][k] = 7.5 - 0.25 * g
    m["sleep_quality"][k] = 7 - round(0.3 * g)
for k in range(38, n):
    for key in m:
        m[key][k] = None
att = sessions(n)
for k in range(38, n):
    att[k] = False if att[k] is not None else None
quiet = dict(m, attended=att, peer_contact=[True] * 38 + [None] * 6)
calm = dict(steady(n), attended=sessions(n), peer_contact=[True] * n)
long_quiet = steady(n)
for key in long_quiet:
    long_quiet[key] = long_quiet[key][:24] + [None] * 20
write("clinician_deteriorates_then_silent",
      [client("quiet", quiet, n), client("calm", calm, n),
       client("silent_20_days", dict(long_quiet, attended=sessions(n)), n)], "2026-04-14")

# 2. Reports use: the same calm history, one client reports use on 4 of the last 14 days.
n = 42
base = dict(steady(n, craving=3, stress=4), attended=sessions(n), peer_contact=[True] * n)
used = [False] * n
for k in (30, 31, 36, 40):
    used[k] = True
write("clinician_reports_use",
      [client("reports_use", dict(base, used=used), n),
       client("no_use", dict(base, used=[False] * n), n)], "2026-04-12")

# 3. Stops medication-assisted treatment: on MAT, took it daily for 5 weeks, then reports not
#    taking it for the last 7 days; the twin keeps taking it.
n = 42
mat = [True] * 35 + [False] * 7
write("clinician_stops_medication",
      [client("stopped_mat", dict(base, medication_taken=mat), n),
       client("on_mat", dict(base, medication_taken=[True] * n), n)], "2026-04-12")

# 4. Recovers: a rough first three weeks after a lapse, then four weeks of steady improvement and
#    daily check-ins.
n = 49
r = steady(n)
for k in range(21):
    r["craving"][k], r["stress"][k], r["mood"][k], r["sleep_quality"][k] = 7, 7, 3, 4
for k in range(21, 35):
    g = k - 20
    r["craving"][k] = 7 - round(0.35 * g)
    r["stress"][k] = 7 - round(0.3 * g)
    r["mood"][k] = 3 + round(0.3 * g)
    r["sleep_quality"][k] = 4 + round(0.2 * g)
write("clinician_recovers",
      [client("recovering", dict(r, attended=sessions(n), peer_contact=[True] * n), n,
              events=[{"date": "2026-03-05", "type": "lapse"}])], "2026-04-19")

# 5. Attendance-only days: checks in daily for 4 weeks, then only comes to sessions (recorded by
#    the program) for 9 days without a self-report. Attendance is not a check-in: the client has
#    been silent for 9 days.
n = 37
a = steady(n)
for key in a:
    a[key] = a[key][:28] + [None] * 9
write("clinician_attendance_only",
      [client("attends_only", dict(a, attended=sessions(n)), n)], "2026-04-07")
