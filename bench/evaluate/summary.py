#!/usr/bin/python3
"""summary.py EVAL.json: the numbers of a `risk evaluate` answer and the goal checks of issue 5:
cross-validated AUROC within 0.03 of the oracle's, ECE at most 0.02, above every baseline."""
import json
import sys

d = json.load(open(sys.argv[1]))
m, o, b = d["metrics"], d.get("oracle"), d.get("baselines", {})
refs = d.get("references", {})


def f(x):
    v, ci = x["value"], x["ci"]
    return "null" if v is None else ("%.4f" % v + ("" if not ci else " [%.4f, %.4f]" % tuple(ci)))


print("rows %d, positives %d (%.2f%%), clients %d" % (d["data"]["rows"], d["data"]["positives"],
      100.0 * d["data"]["positives"] / d["data"]["rows"], d["data"]["clients"]))
print("model   AUROC %s  AUPRC %s" % (f(m["auroc"]), f(m["auprc"])))
print("        Brier %s  ECE %s  adaptive ECE %s" % (f(m["brier"]), f(m["ece"]),
                                                    f(m["ece_adaptive"])))
print("        high tier: sens %s ppv %s alerts/client-week %s" % (
    f(m["high"]["sensitivity"]), f(m["high"]["ppv"]), f(m["high"]["alerts_per_client_week"])))
print("        budget 1/%g client-weeks: sens %s ppv %s" % (
    m["budget"]["weeks_per_alert"], f(m["budget"]["sensitivity"]), f(m["budget"]["ppv"])))
print("        lead time median %s days, lapses detected %s" % (
    f(m["lead_time_median_days"]), f(m["lapses_detected"])))
if o:
    print("oracle  AUROC %s (hazard of the day); window oracle %s" % (
        f(o["auroc"]), f(o["window"]["auroc"]) if "window" in o else "-"))
if "observable" in refs:
    print("observable reference AUROC %s (Kalman filter, structural parameters)" %
          f(refs["observable"]["auroc"]))
if "full_information" in refs:
    print("full-information oracle AUROC %s (Monte Carlo, %d draws)" % (
        f(refs["full_information"]["auroc"]), refs["full_information"]["draws"]))
for k, v in b.items():
    print("%-14s AUROC %s" % (k, f(v["auroc"])))
for attr, groups in d.get("subgroups", {}).items():
    print("by %s: " % attr + ", ".join("%s %.4f" % (g, x["auroc"]["value"]) for g, x in groups.items()
                                       if x["auroc"]["value"] is not None))
auroc = m["auroc"]["value"]
checks = []
if o:
    checks.append(("AUROC within 0.03 of the oracle (%.4f vs %.4f)" % (auroc, o["auroc"]["value"]),
                   auroc >= o["auroc"]["value"] - 0.03))
if "observable" in refs:
    ref = refs["observable"]["auroc"]["value"]
    checks.append(("AUROC within 0.005 of the observable reference, or above (%.4f vs %.4f)" %
                   (auroc, ref), auroc >= ref - 0.005))
checks.append(("ECE <= 0.02 (%.4f)" % m["ece"]["value"], m["ece"]["value"] <= 0.02))
for k, v in b.items():
    checks.append(("beats %s (%.4f)" % (k, v["auroc"]["value"]), auroc > v["auroc"]["value"]))
for text, ok in checks:
    print(("PASS " if ok else "MISS ") + text)
