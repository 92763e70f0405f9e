#!/usr/bin/python3
"""Cross-check `peerlink risk ews` against the ewstools pipeline, rebuilt with pandas/scipy.

ewstools 1.x (ewstools/core.py, ews_compute; peerlink {"gaussian_sigma": b}, see
tests/cli/risk_ews/verify_ewstools.py for 2.x): Gaussian detrending with
scipy.ndimage.gaussian_filter(x, sigma = bandwidth * n, mode="reflect"), a rolling window of
floor(roll_window * n) points, pandas rolling var/std/skew/kurt on the residuals, cv = rolling std
of the residuals / rolling mean of the raw series, Kendall tau via pandas corr(method="kendall").
Its lag-1 autocorrelation is pandas' autocorr (a Pearson correlation); peerlink's ar1 is R's
ar.ols (earlywarnings), so ar1 is compared with a least-squares fit written here instead.

usage: /usr/bin/python3 bench/ews/crosscheck_ewstools.py [path/to/peerlink]   (needs python3-pandas)
Prints the largest absolute difference per indicator over several random series.
"""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/peerlink"


def ewstools_like(x, roll_window, bandwidth):
    n = len(x)
    s = pd.Series(x)
    smooth = gaussian_filter(x, sigma=bandwidth * n, mode="reflect")
    resid = pd.Series(x - smooth)
    w = int(np.floor(roll_window * n))
    r = resid.rolling(window=w)
    out = {"variance": r.var(), "sd": r.std(), "skewness": r.skew(), "kurtosis": r.kurt(),
           "cv": r.std() / s.rolling(window=w).mean()}

    def ols(v):
        y = v - v.mean()
        return np.sum(y[1:] * y[:-1]) / np.sum(y[:-1] ** 2)
    out["ar1"] = resid.rolling(window=w).apply(ols, raw=True)
    t = pd.Series(np.arange(n, dtype=float))
    tau = {k: v.corr(t, method="kendall") for k, v in out.items()}
    return out, tau, smooth


def main():
    rng = np.random.default_rng(1)
    worst = {}
    for rep in range(5):
        n = int(rng.integers(60, 400))
        t = np.arange(n)
        x = 10 + 0.01 * t + (0.5 + t / n) * rng.standard_normal(n)
        doc = {"series": [float(v) for v in x], "window": 0.25, "detrend": {"gaussian_sigma": 0.2},
               "control": False, "changepoints": False}
        res = json.loads(subprocess.run([BIN, "risk", "ews", "--no-timing"], input=json.dumps(doc),
                                        capture_output=True, text=True, check=True).stdout)
        ind, tau, smooth = ewstools_like(x, 0.25, 0.2)
        worst["trend"] = max(worst.get("trend", 0), float(np.max(np.abs(np.array(res["trend"]) - smooth))))
        for k, v in ind.items():
            ours = np.array([np.nan if u is None else u for u in res["indicators"][k]])
            d = np.nanmax(np.abs(ours - v.to_numpy()))
            assert np.array_equal(np.isnan(ours), np.isnan(v.to_numpy())), k
            worst[k] = max(worst.get(k, 0), float(d))
            worst["tau." + k] = max(worst.get("tau." + k, 0), abs(res["kendall_tau"][k] - tau[k]))
    for k, v in worst.items():
        print(f"{k:16s} max |peerlink - ewstools-like| = {v:.3g}")


if __name__ == "__main__":
    main()
