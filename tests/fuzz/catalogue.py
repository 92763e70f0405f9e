#!/usr/bin/env python3
"""catalogue.py PEERLINK [DOC]: run every class of bad input we know of through the CLI and
measure what each gets: exit code, error code and message (peerlink's messages never quote input
values, so they can be shown). Prints a Markdown table; with DOC (docs/bad-input.md) replaces the
table between the markers "<!-- catalogue -->" and "<!-- /catalogue -->" in that file.

The table in the docs is this script's output, never typed by hand: rerun it after a change
(`python3 tests/fuzz/catalogue.py build/peerlink docs/bad-input.md`). Each case runs with a 20 s
timeout in a scratch folder; a case that blocks or runs out of time shows as "timeout"."""
import json
import os
import stat
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(sys.argv[1])
DOC = sys.argv[2] if len(sys.argv) > 2 else None
rows = []


def npy(shape, values=b"", descr="<f8", magic=b"\x93NUMPY\x01\x00"):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return magic + struct.pack("<H", len(header)) + header.encode() + values


def run(scratch, args, stdin=b"", files=None, timeout=20):
    for name, data in (files or {}).items():
        path = os.path.join(scratch, name)
        if data == "FIFO":
            os.mkfifo(path)
        elif data == "DIR":
            os.mkdir(path)
        else:
            with open(path, "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode())
    try:
        p = subprocess.run([BIN] + args, input=stdin, cwd=scratch, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", "", "", b""
    code = msg = ""
    try:
        err = json.loads(p.stderr.decode("utf-8").splitlines()[0])["error"]
        code, msg = err.get("code", "(none)"), err.get("message", "(no message)")
        if err.get("pointer"):
            msg += " (pointer `%s`)" % err["pointer"]
    except (ValueError, IndexError, KeyError, UnicodeDecodeError):
        if p.stderr:
            code = "(stderr not one JSON error object)"
    return str(p.returncode), code, msg, p.stdout


def case(klass, example, args, stdin=b"", files=None):
    with tempfile.TemporaryDirectory() as scratch:
        rc, code, msg, out = run(scratch, args, stdin.encode() if isinstance(stdin, str) else stdin,
                                 files)
    if rc == "0":
        code = code or "(none: answered)"
    if rc not in ("0", "timeout") and out:
        msg += " **and output on stdout**"
    shown = " ".join(a if len(a) < 40 else a[:37] + "..." for a in
                     (x.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for x in args))
    rows.append((klass, example, "`peerlink %s`" % shown, rc, code, msg.replace("|", "\\|")))


A = ["solve", "assignment", "--no-timing"]
big_spaces = b"{\"costs\": [[1]]" + b" " * ((256 << 20) + 16) + b"}"

# ---- the document itself
case("empty input", "0 bytes on stdin", A, b"")
case("empty input", "whitespace only", A, b"  \n\t ")
case("syntax error", "truncated object", A, '{"costs": [[1, 2]')
case("syntax error", "trailing garbage", A, '{"costs": [[1]]} x')
case("syntax error", "single quotes", A, "{'costs': [[1]]}")
case("syntax error", "control character in a string", A, '{"costs": [[1]], "x": "a\x01b"}')
case("syntax error", "lone surrogate escape", A, '{"costs": [[1]], "x": "\\ud800"}')
case("syntax error", "NUL byte in the document", A, b'{"costs": [[1]]\x00}')
case("non-UTF-8", "Latin-1 byte in a string", A, b'{"costs": [[1]], "x": "caf\xe9"}')
case("wrong top level", "an array", A, "[1, 2]")
case("wrong top level", "a number", A, "3")
case("wrong type", "costs is a string", A, '{"costs": "x"}')
case("wrong type", "matrix cell is a string", A, '{"costs": [[1, "2"]]}')
case("wrong type", "matrix row is a number", A, '{"costs": [[1, 2], 3]}')
case("missing field", "no costs or scores", A, "{}")
case("unknown field", "a misspelt key", A, '{"costs": [[1]], "maximise": true}')
case("duplicate key", "costs twice", A, '{"costs": [[1]], "costs": [[2]]}')
case("ragged matrix", "rows of different length", A, '{"costs": [[1, 2], [3]]}')
case("empty arrays", "costs []", A, '{"costs": []}')
case("empty arrays", "costs [[]]", A, '{"costs": [[]]}')
case("non-finite number", "1e999 (overflows to infinity)", A, '{"costs": [[1e999]]}')
case("non-finite number", "NaN literal", A, '{"costs": [[NaN]]}')
case("huge numbers", "scores 1.7e308 whose total overflows", A, '{"scores": [[1.7e308], [1.7e308]], "capacities": [2]}')
case("huge numbers", "integer past 2^63", A, '{"costs": [[9223372036854775808]]}')
case("huge numbers", "matching weights 2^53 (1,025 edges)", ["solve", "matching", "--no-timing"],
     json.dumps({"n": 2050, "edges": [[i, i + 1, 2 ** 53] for i in range(0, 2050, 2)]}))
case("huge arrays", "group_count 1,000,000", ["match", "groups", "--no-timing"],
     '{"clients": [{"id": "a"}, {"id": "b"}], "group_size": [1, 2], "group_count": 1000000}')
case("huge arrays", "100,000 surrogates on 200 points", ["risk", "ews", "--no-timing"],
     json.dumps({"series": [float(i % 7) for i in range(200)], "window": 50,
                 "surrogates": {"method": "ar1", "count": 100000}}))
case("huge arrays", "ews gaussian bandwidth 1e8", ["risk", "ews", "--no-timing"],
     '{"series": [1,2,3,4,5,6,7,8,9,10], "window": 5, "detrend": {"gaussian": 1e8}}')
case("huge arrays", "ews gaussian bandwidth 1e308", ["risk", "ews", "--no-timing"],
     '{"series": [1,2,3,4,5,6,7,8,9,10], "window": 5, "detrend": {"gaussian": 1e308}}')
case("deep nesting", "100 levels", A, '{"costs": [[1]], "x": ' + "[" * 100 + "]" * 100 + "}")
case("deep nesting", "5,000 levels", A, '{"costs": [[1]], "x": ' + "[" * 5000 + "]" * 5000 + "}")
case("long string", "a 100 KB string", A, '{"costs": [[1]], "x": "' + "a" * 100000 + '"}')
case("input size", "a document past 256 MiB", A, big_spaces)
case("huge arrays", "3,000 custom measures, one client over 100 years", ["risk", "score", "--no-timing"],
     json.dumps({"measures": {"m%d" % i: {"min": 0, "max": 1, "worse": "higher"} for i in range(3000)},
                 "clients": [{"id": "a", "checkins": [{"date": "1901-01-01", "craving": 1},
                                                      {"date": "2000-12-31", "craving": 2}]}]}))
case("duplicate ids", "two right-hand profiles named a", ["compat", "--no-timing"],
     '{"left": [{"id": "a"}], "right": [{"id": "b"}, {"id": "b"}]}')
case("duplicate ids", "two clients named c1", ["risk", "score", "--no-timing"],
     '{"clients": [{"id": "c1", "checkins": [{"date": "2026-01-01", "craving": 3}]},'
     ' {"id": "c1", "checkins": [{"date": "2026-01-02", "craving": 3}]}]}')
case("out of range", "craving 11 (scale 0-10)", ["risk", "score", "--no-timing"],
     '{"clients": [{"id": "c1", "checkins": [{"date": "2026-01-01", "craving": 11}]}]}')
case("bad date", "February 30th", ["risk", "score", "--no-timing"],
     '{"clients": [{"id": "c1", "checkins": [{"date": "2026-02-30", "craving": 3}]}]}')
case("bad date", "dates out of order", ["risk", "score", "--no-timing"],
     '{"clients": [{"id": "c1", "checkins": [{"date": "2026-01-05", "craving": 3}, {"date": "2026-01-01", "craving": 3}]}]}')
case("JSON Lines", "second line is not JSON", ["risk", "score", "--jsonl", "--as-of", "2026-01-05", "--no-timing"],
     '{"id": "c1", "checkins": [{"date": "2026-01-01", "craving": 3}]}\n{"id": \n')
case("JSON Lines", "a line one byte past 16 MiB", ["risk", "train", "--jsonl", "--no-timing"],
     " " * (16 * 1024 * 1024 + 1) + "{}\n")
case("generator parameters", "couple_fraction 1 with 3 mentees", ["dataset", "generate", "profiles",
     "--mentees", "3", "--mentors", "1", "--params", "p.json", "--no-timing"], files={"p.json": '{"couple_fraction": 1}'})

# ---- options
case("options", "unknown option", A + ["--frobnicate"], '{"costs": [[1]]}')
case("options", "--seed \" -1\"", A + ["--seed", " -1"], '{"costs": [[1]]}')
case("options", "--seed past 2^64", A + ["--seed", "99999999999999999999999"], '{"costs": [[1]]}')
case("options", "option that is not UTF-8", A + ["--caf\udce9"], '{"costs": [[1]]}')

# ---- files: --input and files named inside inputs
case("input file", "--input names a missing file", A + ["--input", "nowhere.json"])
case("input file", "--input names a directory", A + ["--input", "d"], files={"d": "DIR"})
case("input file", "--input names /dev/null", A + ["--input", "/dev/null"])
case("input file", "risk train --jsonl --input a directory", ["risk", "train", "--jsonl", "--input", "d"], files={"d": "DIR"})
case("files named inside inputs", "npy file missing", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}'})
case("files named inside inputs", "npy names a directory", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "d"}}', "d": "DIR"})
case("files named inside inputs", "npy names an absolute path", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "/etc/hostname"}}'})
case("files named inside inputs", "npy names ../", A + ["--input", "sub/in.json"], files={"sub": "DIR", "sub/in.json": '{"costs": {"npy": "../m.npy"}}', "m.npy": npy("(1, 1)", struct.pack("<d", 1))})
case("files named inside inputs", "npy names a FIFO", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "f"}}', "f": "FIFO"})
case("files named inside inputs", "npy names /dev/zero", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "/dev/zero"}}'})
case("files named inside inputs", "import data names a FIFO", ["dataset", "import", "--input", "in.json"],
     files={"in.json": '{"data": "f", "id": "id", "date": "date"}', "f": "FIFO"})
case(".npy", "truncated data", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}', "m.npy": npy("(2, 2)", struct.pack("<3d", 1, 2, 3))})
case(".npy", "truncated header", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}', "m.npy": npy("(2, 2)")[:20]})
case(".npy", "wrong dtype (int32)", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}', "m.npy": npy("(1, 1)", b"\0" * 4, descr="<i4")})
case(".npy", "3-D shape", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}', "m.npy": npy("(1, 1, 1)", b"\0" * 8)})
case(".npy", "shape (1, 7777777777777) in a small file", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}', "m.npy": npy("(1, 7777777777777)", b"\0" * 8)})
case(".npy", "NaN cell", A + ["--input", "in.json"], files={"in.json": '{"costs": {"npy": "m.npy"}}', "m.npy": npy("(1, 2)", struct.pack("<2d", float("nan"), 1))})

I = ["dataset", "import", "--no-timing", "--input", "in.json"]
SPEC = '{"data": "d.csv", "id": "id", "date": "date", "measures": {"craving": "c"}}'
case("malformed CSV", "empty data file", I, files={"in.json": SPEC, "d.csv": ""})
case("malformed CSV", "missing id column", I, files={"in.json": SPEC, "d.csv": "who,date,c\na,2026-01-01,3\n"})
case("malformed CSV", "unterminated quote", I, files={"in.json": SPEC, "d.csv": 'id,date,c\n"a,2026-01-01,3\n'})
case("malformed CSV", "row with too many cells", I, files={"in.json": SPEC, "d.csv": "id,date,c\na,2026-01-01,3,4\n"})
case("malformed CSV", "cell that is not a number", I, files={"in.json": SPEC, "d.csv": "id,date,c\na,2026-01-01,lots\n"})
case("malformed CSV", "non-UTF-8 id", I, files={"in.json": SPEC, "d.csv": b"id,date,c\ncaf\xe9,2026-01-01,3\n"})
case("malformed CSV", "NUL byte in a cell", I, files={"in.json": SPEC, "d.csv": b"id,date,c\na\x00b,2026-01-01,3\n"})
case("malformed CSV", "bad date", I, files={"in.json": SPEC, "d.csv": "id,date,c\na,2026-13-01,3\n"})

R = ["risk", "score", "--no-timing", "--model", "m.json"]
CLIENT = '{"clients": [{"id": "c1", "checkins": [{"date": "2026-01-01", "craving": 3}]}]}'
case("model file", "syntax error", R, CLIENT, files={"m.json": "{"})
case("model file", "empty object", R, CLIENT, files={"m.json": "{}"})
case("model file", "a directory", R, CLIENT, files={"m.json": "DIR"})

# ---- print
head = ["class", "example", "command (input on stdin unless --input)", "exit", "error code", "message"]
lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
for r in rows:
    lines.append("| " + " | ".join(r) + " |")
table = "\n".join(lines) + "\n"
if DOC:
    text = open(DOC).read()
    a, b = text.index("<!-- catalogue -->\n"), text.index("<!-- /catalogue -->")
    text = text[:a] + "<!-- catalogue -->\n" + table + text[b:]
    data = text.encode("utf-8")  # before opening: a failure must not truncate the document
    with open(DOC, "wb") as f:
        f.write(data)
else:
    sys.stdout.write(table)
