#!/usr/bin/python3
"""Check `peerlink risk ews` against ewstools 2.x on random series (ctest verify.risk_ews_ewstools).

What ewstools 2.x does (ewstools/core.py, class TimeSeries), re-done here from its documented
operations with numpy/scipy (and pandas when it is installed), sharing no code with peerlink:
  detrend("Gaussian", bandwidth): bw = bandwidth * n when 0 < bandwidth <= 1, else bandwidth
      points; sigma = (0.25 / 0.675) * bw; smoothing = scipy.ndimage.gaussian_filter(state,
      sigma, mode="reflect") (default truncate 4.0); residuals = state - smoothing.
  compute_var/std/skew/kurt(rolling_window): w = int(rolling_window * n) points; pandas
      rolling(window=w) (min_periods = w): var and std with ddof 1, skew the bias-corrected G1,
      kurt the bias-corrected excess kurtosis G2.
  compute_cv: rolling std of the residuals / rolling mean of the state.
  compute_auto(lag=1): rolling apply of pandas Series.autocorr(1), the Pearson correlation of
      (x[:-1], x[1:]).
  compute_ktau: Kendall tau-b (pandas corrwith, method="kendall") of each indicator against time
      over the rows from the first to the last where no indicator is NaN.
peerlink is asked for the same with {"gaussian": bandwidth}, "moments": "sample",
"autocorrelation": "pearson" and min_observed = window. Without pandas, the rolling statistics
are computed here with numpy from their textbook formulas (the ones pandas documents).

usage: verify_ewstools.py [PEERLINK]   (run from this folder by tests/cli/run_verifier.sh)
"""
import json
import os
import subprocess
import sys

import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.stats import kendalltau

try:
    import pandas as pd
except ImportError:  # the numpy formulas below stand in for pandas
    pd = None

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "build", "peerlink")
TOL = 1e-8


def rolling_numpy(r, w):
    n = len(r)
    out = {k: np.full(n, np.nan) for k in ("variance", "sd", "skewness", "kurtosis", "ar1")}
    for t in range(w - 1, n):
        x = r[t + 1 - w:t + 1]
        m = w
        d = x - x.mean()
        s2, s3, s4 = (d ** 2).sum(), (d ** 3).sum(), (d ** 4).sum()
        var = s2 / (m - 1)
        out["variance"][t] = var
        out["sd"][t] = np.sqrt(var)
        m2 = s2 / m
        g1 = (s3 / m) / m2 ** 1.5
        g2 = (s4 / m) / m2 ** 2 - 3
        out["skewness"][t] = g1 * np.sqrt(m * (m - 1)) / (m - 2)
        out["kurtosis"][t] = (m - 1) / ((m - 2) * (m - 3)) * ((m + 1) * g2 + 6)
        out["ar1"][t] = np.corrcoef(x[:-1], x[1:])[0, 1]
    return out


def rolling_pandas(r, w):
    s = pd.Series(r).rolling(window=w)
    return {"variance": s.var().to_numpy(), "sd": s.std().to_numpy(),
            "skewness": s.skew().to_numpy(), "kurtosis": s.kurt().to_numpy(),
            "ar1": s.apply(lambda v: pd.Series(v).autocorr(lag=1), raw=True).to_numpy()}


def ewstools_reference(x, rolling_window, bandwidth):
    n = len(x)
    bw = bandwidth * n if 0 < bandwidth <= 1 else bandwidth
    smooth = gaussian_filter(x, sigma=(0.25 / 0.675) * bw, mode="reflect")
    resid = x - smooth
    w = int(rolling_window * n) if 0 < rolling_window <= 1 else int(rolling_window)
    ind = rolling_pandas(resid, w) if pd is not None else rolling_numpy(resid, w)
    mean = np.full(n, np.nan)
    for t in range(w - 1, n):
        mean[t] = x[t + 1 - w:t + 1].mean()
    ind["cv"] = ind["sd"] / mean
    ok = np.all([~np.isnan(v) for v in ind.values()], axis=0)
    first, last = np.flatnonzero(ok)[[0, -1]]
    tau = {}
    for k, v in ind.items():
        seg, t = v[first:last + 1], np.arange(first, last + 1, dtype=float)
        keep = ~np.isnan(seg)
        tau[k] = kendalltau(seg[keep], t[keep]).correlation
    return smooth, ind, tau


def run_peerlink(x, rolling_window, bandwidth, w):
    doc = {"series": [float(v) for v in x], "window": rolling_window, "min_observed": w,
           "detrend": {"gaussian": bandwidth}, "moments": "sample", "autocorrelation": "pearson",
           "control": False, "changepoints": False}
    res = subprocess.run([BIN, "risk", "ews", "--no-timing"], input=json.dumps(doc),
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("peerlink failed: " + res.stderr)
    return json.loads(res.stdout)


def close(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def main():
    rng = np.random.default_rng(20261128)
    worst, fails, cases = {}, 0, 0
    for rep in range(12):
        n = int(rng.integers(40, 300))
        t = np.arange(n)
        # a drifting mean, growing noise and slowing down (AR coefficient rising to 0.9)
        x = np.empty(n)
        x[0] = 0.0
        for i in range(1, n):
            x[i] = (0.9 * i / n) * x[i - 1] + (0.5 + i / n) * rng.standard_normal()
        x += 5 + 0.02 * t
        if rep % 3 == 0:
            x = np.round(x)  # EMA scales are integers: many ties for Kendall's tau
        rolling_window = [0.25, 0.5, 0.4, 20][rep % 4]
        bandwidth = [0.2, 0.1, 0.3, 15][rep % 4]
        w = int(rolling_window * n) if rolling_window <= 1 else rolling_window
        smooth, ind, tau = ewstools_reference(x, rolling_window, bandwidth)
        res = run_peerlink(x, rolling_window, bandwidth, w)
        cases += 1
        ours = np.array(res["trend"], dtype=float)
        d = float(np.max(np.abs(ours - smooth)))
        worst["trend"] = max(worst.get("trend", 0.0), d)
        if d > TOL * max(1.0, float(np.max(np.abs(smooth)))):
            print(f"series {rep}: trend differs by {d:.3g}")
            fails += 1
        for k, ref in ind.items():
            got = np.array([np.nan if v is None else v for v in res["indicators"][k]], dtype=float)
            if not np.array_equal(np.isnan(got), np.isnan(ref)):
                print(f"series {rep}: {k} is defined on other days than in ewstools")
                fails += 1
                continue
            both = ~np.isnan(ref)
            d = float(np.max(np.abs(got[both] - ref[both]) / np.maximum(1.0, np.abs(ref[both]))))
            worst[k] = max(worst.get(k, 0.0), d)
            if d > TOL:
                print(f"series {rep}: {k} differs by {d:.3g} (relative)")
                fails += 1
            kt = res["kendall_tau"][k]
            if kt is None or not close(kt, tau[k]):
                print(f"series {rep}: kendall tau of {k}: peerlink {kt}, ewstools {tau[k]}")
                fails += 1
            worst["tau " + k] = max(worst.get("tau " + k, 0.0), abs((kt or 0) - tau[k]))
    print(f"{cases} random series ({'pandas ' + pd.__version__ if pd is not None else 'numpy formulas, pandas not installed'}); "
          "largest differences: " + ", ".join(f"{k} {v:.2g}" for k, v in sorted(worst.items())))
    if fails:
        sys.exit(f"{fails} mismatches with ewstools 2.x")
    print("ok: peerlink risk ews reproduces ewstools 2.x (Gaussian detrending, rolling indicators, "
          "Pearson lag-1, Kendall tau)")


if __name__ == "__main__":
    main()
