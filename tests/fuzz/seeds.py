#!/usr/bin/env python3
"""seeds.py OUT: build the seed corpora of every fuzz target under OUT/<target>/ and a JSON
dictionary OUT/json.dict, from the golden CLI cases (tests/cli/<command>/<case>/: args select
the options, input.json or the file named by --input/--params is the document), the shipped
examples (datasets/examples/) and the models (models/, tests/cli/risk_score/*/model.json).

A CLI target's input is "<options line>\\n<document>" (tests/fuzz/fuzz_cli.c); the import
target's is "<spec line>\\n<metadata line>\\n<table>", import_profiles's "<spec
line>\\n<people.csv>"; checkins takes one client object; npy one file. Plain Python 3, no
third-party modules."""
import glob
import hashlib
import json
import os
import shlex
import struct
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = sys.argv[1]
FILE_OPTS = {"--input", "-i", "--output", "-o", "--params", "--model"}
keys = set()


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def harvest(doc):
    if isinstance(doc, dict):
        for k, v in doc.items():
            keys.add(k)
            harvest(v)
    elif isinstance(doc, list):
        for v in doc:
            harvest(v)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def cli_seeds():
    for case in sorted(glob.glob(os.path.join(ROOT, "tests/cli/*/*/args"))):
        cdir = os.path.dirname(case)
        target = os.path.basename(os.path.dirname(cdir))
        words = shlex.split(open(case).read())
        # drop the command words: everything before the first option
        while words and not words[0].startswith("-"):
            words.pop(0)
        opts, doc_path, k = [], None, 0
        while k < len(words):
            w = words[k]
            name = w.split("=", 1)[0]
            if name in FILE_OPTS:
                value = w.split("=", 1)[1] if "=" in w else (words[k + 1] if k + 1 < len(words) else None)
                k += 1 if "=" in w else 2
                if name in ("--input", "-i", "--params") and value:
                    doc_path = os.path.join(cdir, value)
                continue
            opts.append(w)
            k += 1
        if os.path.exists(os.path.join(cdir, "input.json")):
            doc_path = os.path.join(cdir, "input.json")
        doc = read(doc_path) if doc_path and os.path.isfile(doc_path) else b"{}"
        try:
            harvest(json.loads(doc))
        except ValueError:
            pass
        put(target, " ".join(opts).encode() + b"\n" + doc)


EXAMPLES = {"assignment.json": ["solve_assignment"], "buddies.json": ["match_buddies"],
            "groups.json": ["match_groups"], "program.json": ["match_mentors", "compat"],
            "program_generated.json": ["match_mentors"],
            "cohort_20.json": ["risk_score", "risk_evaluate", "risk_ews"],
            "checkins_import.json": ["dataset_import"], "openesm_import.json": ["dataset_import"]}


def example_seeds():
    for name, targets in EXAMPLES.items():
        path = os.path.join(ROOT, "datasets/examples", name)
        if os.path.isfile(path):
            for t in targets:
                put(t, b"\n" + read(path))


def model_seeds():
    for path in [os.path.join(ROOT, "models/default.json")] + \
            sorted(glob.glob(os.path.join(ROOT, "tests/cli/risk_score/*/model.json"))) + \
            sorted(glob.glob(os.path.join(ROOT, "tests/cli/risk_*/*/model*.json"))):
        if os.path.isfile(path):
            data = read(path)
            harvest(json.loads(data))
            put("model", b"--top 3\n" + data)


def npy(rows, cols, values, order="False", version=1):
    header = "{'descr': '<f8', 'fortran_order': %s, 'shape': (%d, %d), }" % (order, rows, cols)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    head = b"\x93NUMPY" + bytes([version, 0])
    head += struct.pack("<H" if version == 1 else "<I", len(header))
    return head + header.encode() + struct.pack("<%dd" % len(values), *values)


def npy_seeds():
    for path in glob.glob(os.path.join(ROOT, "tests/**/*.npy"), recursive=True):
        put("npy", read(path))
    put("npy", npy(2, 3, [1, 2, 3, 4, 5, float("nan")]))
    put("npy", npy(3, 2, [1, 2, 3, 4, 5, 6], "True"))
    put("npy", npy(1, 1, [7.5], version=2))
    put("npy", npy(0, 0, []))


def import_seeds():
    ex = os.path.join(ROOT, "datasets/examples")
    for spec_name in ("checkins_import.json", "openesm_import.json"):
        spec = json.load(open(os.path.join(ex, spec_name)))
        harvest(spec)
        table = read(os.path.join(ex, spec.pop("data")))
        meta = b""
        if "metadata" in spec:
            meta = json.dumps(json.load(open(os.path.join(ex, spec.pop("metadata"))))).encode()
        if spec.get("format") == "openesm":
            spec.setdefault("delimiter", "\t")
            spec.setdefault("date", "date")
        lines = table.split(b"\n")
        for n in (3, 12, len(lines)):
            put("import", json.dumps(spec).encode() + b"\n" + meta + b"\n" + b"\n".join(lines[:n]))
    for case in glob.glob(os.path.join(ROOT, "tests/cli/dataset_import/*/input.json")):
        try:
            spec = json.load(open(case))
        except ValueError:
            continue
        data = os.path.join(os.path.dirname(case), str(spec.pop("data", "")))
        spec.pop("metadata", None)
        if os.path.isfile(data):
            put("import", json.dumps(spec).encode() + b"\n\n" + read(data))


PROFILE_TAGS = ["experiences", "substances", "goals", "recovery_pathway", "life_stage", "languages",
                "modalities", "availability"]
PROFILE_PLAIN = ["age", "gender", "gender_preference", "partner_id", "capacity", "priority",
                 "months_in_recovery", "social_anxiety", "max_group_size"]


def profile_row(p, role, ids):
    """One profile of an example program as a spreadsheet row (dict column -> cell); references
    to ids outside `ids` (the rows kept) are dropped, so the seed imports."""
    p = dict(p)
    if p.get("partner_id") not in ids:
        p.pop("partner_id", None)
    for k in ("exclude", "prefers", "avoid"):
        if isinstance(p.get(k), list):
            p[k] = [i for i in p[k] if i in ids and i != p.get("id")]
    row = {"id": p.get("id", ""), "role": role}
    for k in PROFILE_TAGS:
        v = p.get(k)
        if v is not None:
            row[k] = ";".join(v) if isinstance(v, list) else str(v)
    for k in PROFILE_PLAIN:
        if k in p:
            row[k] = str(p[k]).lower() if isinstance(p[k], bool) else str(p[k])
    for k in ("exclude", "prefers", "avoid"):
        if p.get(k):
            row[k] = ";".join(p[k])
    if isinstance(p.get("age_range"), list) and len(p["age_range"]) == 2:
        row["age_min"], row["age_max"] = str(p["age_range"][0]), str(p["age_range"][1])
    for t, v in (p.get("personality") or {}).items():
        row["personality." + t] = str(v)
    return row


def csv_table(rows, delim=","):
    cols = []
    for r in rows:
        cols += [c for c in r if c not in cols]

    def cell(v):
        return '"%s"' % v.replace('"', '""') if any(ch in v for ch in (delim, '"', "\n")) else v
    lines = [delim.join(cols)] + [delim.join(cell(r.get(c, "")) for c in cols) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def import_profiles_seeds():
    """`dataset import profiles`: its goldens (spec line + people.csv), and the example programs'
    profiles written out as spreadsheets (a few rows each, comma and tab)."""
    for case in sorted(glob.glob(os.path.join(ROOT, "tests/cli/dataset_import_profiles/*/input.json"))):
        spec = json.load(open(case))
        harvest(spec)
        data = os.path.join(os.path.dirname(case), str(spec.get("data", "")))
        spec["data"] = "people.csv"
        if os.path.isfile(data):
            put("import_profiles", json.dumps(spec).encode() + b"\n" + read(data))
    ex = os.path.join(ROOT, "datasets/examples")
    for name, lists in (("program.json", [("mentees", "mentee"), ("mentors", "mentor")]),
                        ("groups.json", [("clients", "client")]),
                        ("buddies.json", [("clients", "client")])):
        path = os.path.join(ex, name)
        if not os.path.isfile(path):
            continue
        doc = json.load(open(path))
        people = [(p, role) for key, role in lists for p in doc.get(key, [])[:6] if isinstance(p, dict)]
        ids = {p.get("id") for p, _ in people}
        rows = [profile_row(p, role, ids) for p, role in people]
        spec = {"data": "people.csv"}
        if isinstance(doc.get("vocabulary"), dict):
            spec["vocabulary"] = doc["vocabulary"]
        put("import_profiles", json.dumps(spec).encode() + b"\n" + csv_table(rows))
        spec["delimiter"] = "\t"
        put("import_profiles", json.dumps(spec).encode() + b"\n" + csv_table(rows[:4], "\t"))


def checkins_seeds():
    n = 0
    for path in [os.path.join(ROOT, "datasets/examples/cohort_20.json")] + \
            sorted(glob.glob(os.path.join(ROOT, "tests/cli/risk_*/*/input.json"))):
        try:
            doc = json.load(open(path))
        except ValueError:
            continue
        for c in doc.get("clients", [])[:4] if isinstance(doc, dict) else []:
            if isinstance(c, dict):
                c.pop("truth", None)
                put("checkins", json.dumps(c, separators=(",", ":")))
                n += 1
        if n > 60:
            break


def json_parse_seeds():
    """The fast JSON reader: every golden input and example, plus texts at its edges."""
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/cli/*/*/input.json")))[:200]:
        put("json_parse", read(path))
    for text in ['{"a": 1, "b": [1.5, -0, 1e308, 1E-5, 9007199254740993], "c": null}',
                 '["\\u00e9\\ud83d\\ude00", "tab\\t", "q\\"", "\\/"]',
                 '{"a": {"a": {"a": []}}, "": true, "z": false}',
                 '  [1,2 , 3 ]  \n', '{"a": 1, "a": 2}', '"\\u0000"', '[18446744073709551616]',
                 '[1.0, 0.1, 123456789012345678901234567890]', '{"\\u00e9": "caf\u00e9"}']:
        put("json_parse", text)


def dictionary():
    tokens = ["{", "}", "[", "]", ",", ":", "null", "true", "false", "-0", "1e308", "-1e308",
              "1e-320", "9007199254740993", "18446744073709551616", "\\u0000", "\\ud800",
              "2026-01-01", "--jsonl", "--pretty", "--seed", "--as-of", "--cv"]
    with open(os.path.join(OUT, "json.dict"), "w") as f:
        for t in tokens:
            f.write(json.dumps(t) + "\n")
        for k in sorted(keys):
            if 0 < len(k) < 40 and k.isprintable():
                f.write(json.dumps('"%s"' % k) + "\n")


os.makedirs(OUT, exist_ok=True)
cli_seeds()
example_seeds()
model_seeds()
npy_seeds()
import_seeds()
import_profiles_seeds()
checkins_seeds()
json_parse_seeds()
dictionary()
for t in sorted(os.listdir(OUT)):
    if os.path.isdir(os.path.join(OUT, t)):
        print("%-28s %d seeds" % (t, len(os.listdir(os.path.join(OUT, t)))))
