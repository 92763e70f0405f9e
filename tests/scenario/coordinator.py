#!/usr/bin/env python3
"""coordinator.py PEERLINK: issue 13 from a coordinator's seat, end to end, the way a program
coordinator would script it (standard library only; ctest scenario.coordinator).

1. A spreadsheet of 14 people (CSV, as a spreadsheet exports it: quoted cells, ';' tag lists,
   a couple, a stated preference, an avoid, a priority) is imported with `dataset import
   profiles` and a vocabulary; a misspelt substance in a copy is refused at its row and column.
2. The imported mentees and mentors, with last month's pairs as `current`, go to `match
   mentors --format csv`: the roster has every mentee once, no mentor over capacity, the couple
   apart, the avoided pair absent, the priority mentee matched, and the JSON answer's `changes`
   says who keeps and who moves and why.
3. The same people as clients go to `match buddies --format csv`: everyone paired (or in the
   triad), no one twice.
Exits 1 with the failed check on stdout.
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

SHEET = """id,role,experiences,substances,recovery_pathway,languages,modalities,age,gender,gender_preference,capacity,partner_id,prefers,avoid,priority
c01,mentee,trauma;parenting,alcohol,twelve_step,en,virtual;in_person,34,woman,same,,,,,
c02,mentee,parenting,alcohol;opioids,smart,en,in_person,36,man,,,c03,,,
c03,mentee,"parenting; grief",alcohol,smart,en,in_person,35,woman,,,c02,,,
c04,mentee,veteran;trauma,opioids,medication_assisted,en,virtual,51,man,,,,m03,,
c05,mentee,grief,stimulants,twelve_step,es;en,virtual,28,woman,,,,,m01,
c06,mentee,incarceration,opioids,medication_assisted,en,in_person,44,man,,,,,,2
c07,mentee,trauma,alcohol,smart,en,virtual,23,nonbinary,,,,,,
c08,mentee,homelessness;trauma,opioids,twelve_step,es,in_person,39,man,,,,,,
c09,mentee,grief;parenting,alcohol,twelve_step,en,virtual,31,woman,,,,,,
c10,mentee,veteran,alcohol,smart,en,in_person,60,man,,,,,,
m01,mentor,trauma;grief;parenting,alcohol,twelve_step,en;es,virtual;in_person,45,woman,,3,,,,
m02,mentor,parenting;incarceration,opioids;alcohol,smart,en,in_person,50,man,,3,,,,
m03,mentor,veteran;trauma,opioids,medication_assisted,en,virtual,58,man,,2,,,,
m04,mentor,homelessness;grief,stimulants;opioids,twelve_step,es;en,in_person;virtual,41,woman,,2,,,,
"""
VOCAB = {"substances": ["alcohol", "opioids", "stimulants", "cannabis"],
         "gender": ["woman", "man", "nonbinary"]}
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def run(exe, args, doc, cwd):
    p = subprocess.run([exe] + args, input=json.dumps(doc), capture_output=True, text=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def main():
    exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/peerlink")
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "people.csv"), "w", newline="") as f:
            f.write(SHEET.replace("\n", "\r\n"))  # as a spreadsheet writes it
        with open(os.path.join(tmp, "typo.csv"), "w") as f:
            f.write(SHEET.replace("c07,mentee,trauma,alcohol", "c07,mentee,trauma,alcohl"))
        # 1. import, and a typo refused at its place
        rc, out, err = run(exe, ["dataset", "import", "profiles", "--no-timing"],
                           {"data": "people.csv", "vocabulary": VOCAB}, tmp)
        check(rc == 0, "import exits 0: " + err)
        prof = json.loads(out)
        check(len(prof["mentees"]) == 10 and len(prof["mentors"]) == 4, "10 mentees, 4 mentors")
        rc, out, err = run(exe, ["dataset", "import", "profiles"],
                           {"data": "typo.csv", "vocabulary": VOCAB}, tmp)
        e = json.loads(err)["error"] if err else {}
        check(rc == 3 and e.get("pointer") == "/data/7/substances", "typo at row 7: " + err)
        check("alcohl" not in err, "the error does not quote the cell")
        # 2. mentors, with last month's pairs
        req = {k: prof[k] for k in ("mentees", "mentors", "vocabulary")}
        req["current"] = [["c01", "m01"], ["c02", "m02"], ["c03", "m02"], ["c05", "m01"],
                          ["c08", "m04"]]
        req["top"] = 1
        rc, out, err = run(exe, ["match", "mentors", "--format", "csv", "--no-timing"], req, tmp)
        check(rc == 0, "match mentors --format csv exits 0: " + err)
        rows = list(csv.DictReader(io.StringIO(out)))
        check([r["mentee"] for r in rows].count("c01") == 1, "c01 listed once")
        check(sorted(r["mentee"] for r in rows) == sorted(p["id"] for p in prof["mentees"]),
              "every mentee once in the roster")
        cap = {m["id"]: m.get("capacity", 1) for m in prof["mentors"]}
        load = {}
        mentor = {r["mentee"]: r["mentor"] for r in rows if r["status"] != "unmatched"}
        for m in mentor.values():
            load[m] = load.get(m, 0) + 1
        check(all(load[m] <= cap[m] for m in load), "no mentor over capacity")
        check(mentor.get("c02") is None or mentor.get("c02") != mentor.get("c03"),
              "the couple c02/c03 does not share a mentor")
        check(mentor.get("c05") != "m01", "c05 avoids m01")
        check("c06" in mentor, "the priority mentee c06 is matched")
        check(all(r["reasons"] for r in rows), "every row says why")
        rc, out, err = run(exe, ["match", "mentors", "--no-timing"], req, tmp)
        ans = json.loads(out)
        ch = ans.get("changes", {})
        check(ch.get("kept", 0) + ch.get("moved", 0) + ch.get("ended", 0) == 5,
              "changes covers the 5 current pairs")
        for e in ch.get("mentees", []):
            check(e["status"] == "kept" or e.get("why"), "a move says why: " + json.dumps(e))
        # 3. buddies among the same people
        people = [{k: v for k, v in p.items() if k not in ("capacity", "priority")}
                  for p in prof["mentees"] + prof["mentors"]]  # mentors-only, mentees-only
        breq = {"clients": people, "vocabulary": VOCAB, "top": 0}
        rc, out, err = run(exe, ["match", "buddies", "--format", "csv", "--no-timing"], breq, tmp)
        check(rc == 0, "match buddies --format csv exits 0: " + err)
        rows = list(csv.DictReader(io.StringIO(out)))
        check(len(rows) == 14 and len({r["client"] for r in rows}) == 14, "14 clients, once each")
        for r in rows:
            for b in filter(None, r["buddies"].split(";")):
                other = [x for x in rows if x["client"] == b][0]
                check(r["client"] in other["buddies"].split(";"), "buddy lists agree")
    for f in failures:
        print("FAILED:", f)
    print("coordinator scenario: %d checks failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
