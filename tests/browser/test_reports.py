#!/usr/bin/env python3
"""test_reports.py: every `peerlink report <kind>` rendered in headless Chromium (issue 15).

For each kind, on the shipped examples: the page parses as XML (XHTML-ish), loads with no console error or warning, makes no
network request (DevTools Network events; the page's CSP would block one and log it), each chart
has the expected number of marks for the known input (counted in the live DOM through the plot
module's class names), the page does not overflow a phone's width, it prints on A4, and its
screenshot is not blank (PNG decoded with zlib + struct, pixel variance).

    test_reports.py PEERLINK SOURCE_DIR [--screenshots DIR]

With --screenshots the PNGs are written to DIR (docs/img/ holds the committed ones). Exit 77
(CTest: skipped) with a message when Chromium is not installed.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.dom.minidom
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

SKIP = 77


def run(args, out_path=None, stdin=None):
    res = subprocess.run(args, capture_output=True, stdin=stdin)
    if res.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: exit {res.returncode}: {res.stderr.decode()[:300]}")
    if out_path:
        with open(out_path, "wb") as f:
            f.write(res.stdout)
    return res.stdout


def png_pixels(data):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def not_blank(png):
    """Luminance variance and the share of non-white pixels (every 2nd row and column)."""
    w, h, bpp, rows = png_pixels(png)
    total = total2 = dark = n = 0
    for y in range(0, h, 2):
        line = rows[y]
        for x in range(0, w * bpp, 2 * bpp):
            lum = (299 * line[x] + 587 * line[x + 1] + 114 * line[x + 2]) // 1000
            total += lum
            total2 += lum * lum
            dark += lum < 200
            n += 1
    mean = total / n
    return total2 / n - mean * mean, dark / n


def build_reports(peerlink, src, work):
    """Run the commands on the shipped examples and the reports on their answers."""
    ex = os.path.join(src, "datasets", "examples")
    model = os.path.join(src, "models", "default.json")
    cohort = os.path.join(ex, "cohort_20.json")
    series = os.path.join(src, "tests", "cli", "risk_ews", "control_and_changepoints", "input.json")
    j = lambda name: os.path.join(work, name)  # noqa: E731
    # as of a day inside every example client's 90 days, so all are scored (none silent)
    run([peerlink, "risk", "score", "-i", cohort, "--model", model, "--as-of", "2026-04-16",
         "--no-timing"], j("score.json"))
    run([peerlink, "risk", "evaluate", "-i", cohort, "--model", model, "--baselines",
         "--bootstrap", "20", "--no-timing", "--rows", j("rows.jsonl")], j("evaluate.json"))
    run([peerlink, "risk", "ews", "-i", series, "--no-timing"], j("ews.json"))
    run([peerlink, "match", "mentors", "-i", os.path.join(ex, "program.json"), "--no-timing"], j("mentors.json"))
    run([peerlink, "match", "buddies", "-i", os.path.join(ex, "buddies.json"), "--no-timing"], j("buddies.json"))
    run([peerlink, "match", "groups", "-i", os.path.join(ex, "groups.json"), "--no-timing"], j("groups.json"))
    pages = {
        "risk": [peerlink, "report", "risk", "-i", j("score.json"), "--checkins", cohort,
                 "--model", model, "--detail", "3", "--weeks", "8"],
        "matches": [peerlink, "report", "matches", "-i", j("mentors.json"), "--buddies",
                    j("buddies.json"), "--groups", j("groups.json")],
        # the curves come from the answer (metrics.curves); the rows are there as they would be
        "evaluation": [peerlink, "report", "evaluation", "-i", j("evaluate.json"), "--rows", j("rows.jsonl")],
        "ews": [peerlink, "report", "ews", "-i", j("ews.json"), "--series", series],
    }
    for kind, args in pages.items():
        run(args + ["-o", j(kind + ".html")])
    return {
        "series": json.load(open(series))["series"],
        "evaluate": json.load(open(j("evaluate.json"))),
        "score": json.load(open(j("score.json"))),
    }


def expected_marks(known):
    """CSS selector -> count, per report, derived from the known inputs."""
    ev = known["evaluate"]
    table = ev["metrics"]["calibration"]["deciles"]
    bins = [b for b in table if b["n"] > 0]
    subgroups = sum(len(v) for v in ev["subgroups"].values())
    refs = 1 + 2 + len(ev["baselines"])
    # the ROC step path: a move to the answer's every point after the first
    roc_moves = len(ev["metrics"]["curves"]["roc"]) - 1
    finite = sum(1 for v in known["series"] if v is not None)
    return {
        "risk": {
            "#overview tbody tr": len(known["score"]["clients"]),
            "section.client": 3,
            "section.client svg.chart": 3 * 7,             # 5 timelines, trajectory, contributions
            "section.client .timeline svg.chart": 3 * 5,
            "section.client rect.bar": 3 * 10,             # top-10 contributions
            "section.client rect.tier": 3 * 3,             # low, moderate, high bands
            "section.client path.line": 3 * 6,             # 5 measures + the risk
        },
        "matches": {
            "#mentor-load rect.bar": 12,
            "#group-sizes rect.bar": 5,
            "table.matches tbody tr": 38,
            "table.pairs tbody tr": 11,
            "table.unmatched tbody tr": 3,
        },
        "evaluation": {
            "#roc path.step": 1,
            "#pr path.step": 1,
            "#reliability .pt": len(bins),
            "#decision path.line": 3,                      # model, treat all, treat none
            "#lead-time g.forest-row": 4,                  # model and random alerts, twice
            "#subgroups g.forest-row": refs + subgroups,
            "#subgroups line.ci": None,                    # counted, not fixed: intervals may be null
            "#roc path.step@H": roc_moves,                 # one step per curve point
        },
        "ews": {
            "#series .pt": finite,
            "#series line.rule": 1,
            "#indicators svg.chart": 1,
            "#control path.area": 1,
            "#changepoints line.rule": 1,
        },
    }


def count_js(selector):
    if selector.endswith("@H"):
        sel = selector[:-2]
        return (f"(document.querySelector({json.dumps(sel)}).getAttribute('d').match(/H/g) || []).length")
    return f"document.querySelectorAll({json.dumps(selector)}).length"


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    peerlink, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shots = None
    if "--screenshots" in sys.argv:
        shots = os.path.abspath(sys.argv[sys.argv.index("--screenshots") + 1])
        os.makedirs(shots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="pl_browser_")
    failures = []
    try:
        known = build_reports(peerlink, src, work)
        marks = expected_marks(known)
        # XHTML-ish: every page parses as XML (escaping and nesting right), browser or not
        for kind in ("risk", "matches", "evaluation", "ews"):
            try:
                xml.dom.minidom.parse(os.path.join(work, kind + ".html"))
            except Exception as e:  # noqa: BLE001 - any parse failure is the finding
                failures.append(f"{kind}: not well-formed: {e}")
        chromium = cdp.find_chromium()
        if not chromium:
            for f in failures:
                print("FAIL " + f)
            if failures:
                return 1
            print("SKIPPED: chromium is not installed (Debian: apt-get install -y chromium); "
                  "the browser tests of the HTML reports did not run (the pages parse as XML)")
            return SKIP
        browser = cdp.Browser(chromium)
        try:
            for kind in ("risk", "matches", "evaluation", "ews"):
                path = os.path.join(work, kind + ".html")
                url = "file://" + path
                seconds = browser.open(url, 900, 1200)
                problems = browser.console_problems()
                requests = browser.requests(url)
                if problems:
                    failures.append(f"{kind}: console problems: {problems[:5]}")
                if requests:
                    failures.append(f"{kind}: network requests: {requests[:5]}")
                for sel, want in marks[kind].items():
                    got = browser.evaluate(count_js(sel))
                    if want is not None and got != want:
                        failures.append(f"{kind}: {sel}: {got} marks, expected {want}")
                title = browser.evaluate("document.title")
                if kind == "risk":  # the overview is a table: show a client's charts instead
                    browser.evaluate("document.querySelector('section.client').scrollIntoView(), 0")
                png = browser.screenshot()
                var, dark = not_blank(png)
                if var < 100 or dark < 0.01:
                    failures.append(f"{kind}: screenshot looks blank (variance {var:.0f}, dark {dark:.3f})")
                if shots:
                    with open(os.path.join(shots, f"report-{kind}.png"), "wb") as f:
                        f.write(png)
                # a phone: nothing wider than the screen (tables scroll inside their box)
                browser.open(url, 390, 800)
                overflow = browser.evaluate("document.documentElement.scrollWidth")
                if overflow > 392:
                    failures.append(f"{kind}: on a 390 px screen the page is {overflow} px wide")
                pdf = browser.print_a4()
                if not pdf.startswith(b"%PDF") or pdf.count(b"/Type /Page") < 1:
                    failures.append(f"{kind}: printing on A4 failed")
                print(f"{kind}: '{title}' loaded in {seconds:.2f} s, {os.path.getsize(path)} bytes, "
                      f"screenshot variance {var:.0f}, {len(png)} bytes PNG")
            log = browser.stderr_text()
            for line in log.splitlines():
                if "CONSOLE" in line or "Refused to" in line:
                    failures.append("chromium log: " + line[:200])
        finally:
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    print("browser tests: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
