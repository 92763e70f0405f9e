#!/usr/bin/python3
"""Independent check of the `peerlink risk ews` golden files (run by ctest as verify.risk_ews).

Recomputes every number of each successful case's expected.json from its input.json with
numpy/scipy and brute force, without the peerlink code: indicators with numpy/scipy.stats
(skew/kurtosis with and without bias correction), Gaussian detrending with
scipy.ndimage.gaussian_filter1d (sd (0.25/0.675) x bandwidth as ewstools 2.x, or the bandwidth
itself for "gaussian_sigma"; mode "reflect", truncate 4; with holes as the ratio of the filtered
masked series to the filtered mask), the lag-1 indicator as a least-squares fit or a Pearson
correlation of the complete pairs ("autocorrelation": "pearson"), R ksmooth written out, Kendall tau-b with
scipy.stats.kendalltau, EWMA/CUSUM by their recursions, and BOCPD posteriors by enumerating every
segmentation with closed-form Normal-Gamma marginal likelihoods. Surrogate p-values are random:
only checked to be multiples of 1/(N+1) in [1/(N+1), 1].

usage: /usr/bin/python3 tests/cli/risk_ews/verify_independent.py   (prints one line per case)
"""
import itertools
import json
import math
import os
import sys

import numpy as np
from scipy import ndimage, special, stats

NAMES = ["variance", "sd", "cv", "ar1", "skewness", "kurtosis"]


def close(a, b, what, tol=1e-9):
    if a is None or b is None:
        if a is not None or b is not None:
            raise AssertionError(f"{what}: {a} vs {b}")
        return
    if abs(a - b) > tol * max(1.0, abs(a), abs(b)):
        raise AssertionError(f"{what}: {a} vs {b}")


def close_list(a, b, what, tol=1e-9):
    assert len(a) == len(b), what
    for i, (u, v) in enumerate(zip(a, b)):
        close(u, v, f"{what}[{i}]", tol)


def window_points(w, n):
    return int(math.floor(w * n)) if w <= 1 else int(w)


def detrend(x, spec, n):
    obs = ~np.isnan(x)
    t = np.arange(n, dtype=float)
    if spec in (None, "none"):
        return np.zeros(n)
    if spec == "linear":
        b, a = np.polyfit(t[obs], x[obs], 1)
        return a + b * t
    (kind, bw), = spec.items()
    bw = bw * n if bw <= 1 else bw
    if kind in ("gaussian", "gaussian_sigma"):
        # ewstools 2.x: sd = (0.25 / 0.675) bandwidth; "gaussian_sigma": sd = bandwidth
        sigma = (0.25 / 0.675) * bw if kind == "gaussian" else bw
        xf = np.where(obs, x, 0.0)
        num = ndimage.gaussian_filter1d(xf, sigma, mode="reflect", truncate=4.0)
        den = ndimage.gaussian_filter1d(obs.astype(float), sigma, mode="reflect", truncate=4.0)
        return num / den
    sd = 0.3706506 * bw  # R ksmooth "normal": quartiles at +-bw/4
    out = np.empty(n)
    for i in range(n):
        d = np.abs(t - i)
        use = obs & (d <= 4 * sd)
        w = np.exp(-0.5 * (d[use] / sd) ** 2)
        out[i] = np.sum(w * x[use]) / np.sum(w)
    return out


def window_stats(r, lev, min_obs, population, pearson=False):
    out = dict.fromkeys(NAMES)
    obs = ~np.isnan(r)
    v = r[obs]
    m = len(v)
    if m < max(min_obs, 2):
        return out
    var = np.var(v, ddof=1)
    if var < 1e-24 * np.sum(v * v):
        var = 0.0
    out["variance"] = var
    out["sd"] = math.sqrt(var)
    lm = np.mean(lev[~np.isnan(lev)])
    out["cv"] = math.sqrt(var) / lm if lm != 0 else None
    y = r - np.mean(v)
    pairs = [(y[i], y[i - 1]) for i in range(1, len(r)) if obs[i] and obs[i - 1]]
    if pearson:
        full = [(r[i - 1], r[i]) for i in range(1, len(r)) if obs[i] and obs[i - 1]]
        a = np.array(full)
        if len(full) >= 2 and np.std(a[:, 0]) > 0 and np.std(a[:, 1]) > 0:
            out["ar1"] = float(np.corrcoef(a[:, 0], a[:, 1])[0, 1])
    elif len(pairs) >= 2 and var > 0:
        a = np.array(pairs)
        phi, *_ = np.linalg.lstsq(a[:, 1:2], a[:, 0], rcond=None)
        out["ar1"] = float(phi[0])
    if var > 0:
        if m >= 3:
            out["skewness"] = float(stats.skew(v, bias=population))
        if m >= 4:
            out["kurtosis"] = float(stats.kurtosis(v, fisher=not population, bias=population))
    return out


def round12(v):
    return v if v == 0 else float(f"{v:.11e}")


def tau(y):
    pts = [(i, round12(v)) for i, v in enumerate(y) if v is not None]
    if len(pts) < 3 or len({v for _, v in pts}) < 2:
        return None
    return float(stats.kendalltau([p[0] for p in pts], [p[1] for p in pts]).statistic)


def log_marginal_uncached(x, a, b, mu0, k0, a0, b0):
    v = np.array([u for u in x[a:b + 1] if not math.isnan(u)])
    m = len(v)
    if m == 0:
        return 0.0
    mean = v.mean()
    kn, an = k0 + m, a0 + m / 2
    bn = b0 + 0.5 * np.sum((v - mean) ** 2) + k0 * m * (mean - mu0) ** 2 / (2 * kn)
    return (special.gammaln(an) - special.gammaln(a0) + a0 * math.log(b0) - an * math.log(bn)
            + 0.5 * math.log(k0 / kn) - 0.5 * m * math.log(2 * math.pi))


def run_posterior(x, t, H, prior):
    post = np.zeros(t + 1)
    seg = {}  # segment (a, b) -> its log marginal likelihood: the enumeration meets each often

    def log_marginal(x, a, b, *prior):
        if (a, b) not in seg:
            seg[a, b] = log_marginal_uncached(x, a, b, *prior)
        return seg[a, b]

    for changes in itertools.product([0, 1], repeat=t):
        lw, start, last, c = 0.0, 0, 0, 0
        for d in range(1, t + 1):
            if changes[d - 1]:
                lw += log_marginal(x, start, d - 1, *prior)
                start = last = d
                c += 1
        lw += log_marginal(x, start, t, *prior) + c * math.log(H) + (t - c) * math.log1p(-H)
        post[t - last] += math.exp(lw)
    return post / post.sum()


def check_case(d):
    inp = json.load(open(os.path.join(d, "input.json")))
    out = json.load(open(os.path.join(d, "expected.json")))
    x = np.array([np.nan if v is None else float(v) for v in inp["series"]])
    n = len(x)
    w = window_points(inp.get("window", 0.5), n)
    min_obs = inp.get("min_observed", (w + 1) // 2)
    trend = detrend(x, inp.get("detrend"), n)
    r = x - trend
    population = inp.get("moments") == "population"
    names = inp.get("indicators", NAMES)
    ind = {k: [None] * n for k in names}
    for t in range(w - 1, n):
        s = window_stats(r[t - w + 1:t + 1], x[t - w + 1:t + 1], min_obs, population,
                         inp.get("autocorrelation") == "pearson")
        for k in names:
            ind[k][t] = s[k]
    assert sorted(out["indicators"]) == sorted(names)
    for k in names:
        close_list(out["indicators"][k], ind[k], f"indicators/{k}")
        close(out["kendall_tau"][k], tau(ind[k]), f"kendall_tau/{k}")
        p = out["p_value"][k]
        if "surrogates" not in inp or out["kendall_tau"][k] is None:
            assert p is None, f"p_value/{k}"
        else:
            N = out["stats"]["surrogates_used"][k]
            assert 1 / (N + 1) - 1e-12 <= p <= 1 and abs(p * (N + 1) - round(p * (N + 1))) < 1e-9
    if inp.get("surrogates", {}).get("method") == "ar1":
        # the surrogate model: least-squares AR(1) of the demeaned residuals, clipped to 0.99
        obs = ~np.isnan(r)
        y = r - np.mean(r[obs])
        pr = np.array([(y[i], y[i - 1]) for i in range(1, n) if obs[i] and obs[i - 1]])
        phi = min(0.99, max(-0.99, float(np.sum(pr[:, 0] * pr[:, 1]) / np.sum(pr[:, 1] ** 2))))
        close(out["stats"]["ar1_phi"], phi, "ar1_phi")
        close(out["stats"]["ar1_sigma"], math.sqrt(np.var(r[obs], ddof=1) * (1 - phi * phi)),
              "ar1_sigma")
    if inp.get("detrend", "none") != "none":
        close_list(out["trend"], [float(v) for v in trend], "trend")

    ctl = inp.get("control", {})
    if ctl is not False:
        B = ctl.get("burn_in", 14)
        obs_idx = [i for i in range(n) if not math.isnan(x[i])]
        base = x[obs_idx[:B]]
        mean, sd = base.mean(), max(base.std(ddof=1), ctl.get("sd_floor", 0))
        start = obs_idx[B - 1] + 1
        close(out["control"]["baseline"]["mean"], mean, "baseline mean")
        close(out["control"]["baseline"]["sd"], sd, "baseline sd")
        e_par = ctl.get("ewma", {})
        lam, L = e_par.get("lambda", 0.2), e_par.get("L", 3.0)
        c_par = ctl.get("cusum", {})
        k, h = c_par.get("k", 0.5), c_par.get("h", 5.0)
        e, i, cp, cm = 0.0, 0, 0.0, 0.0
        ea, ca = [], []
        for t in range(n):
            ex, up, lo = out["control"]["ewma"]["statistic"][t], out["control"]["cusum"]["upper"][t], \
                out["control"]["cusum"]["lower"][t]
            if t < start:
                assert ex is None and up is None and lo is None
                continue
            if not math.isnan(x[t]):
                z = (x[t] - mean) / sd
                i += 1
                e = lam * z + (1 - lam) * e
                lim = L * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * i)))
                close(out["control"]["ewma"]["limit"][t], lim, f"limit[{t}]")
                if abs(e) > lim:
                    ea.append({"day": t, "side": "up" if e > 0 else "down"})
                cp, cm = max(0, z - k + cp), max(0, -z - k + cm)
                if cp > h or cm > h:
                    ca.append({"day": t, "side": "up" if cp > h else "down"})
            close(ex, e, f"ewma[{t}]")
            close(up, cp, f"cusum upper[{t}]")
            close(lo, cm, f"cusum lower[{t}]")
        assert out["control"]["ewma"]["alarms"] == ea, "ewma alarms"
        assert out["control"]["cusum"]["alarms"] == ca, "cusum alarms"

    cpin = inp.get("changepoints", {})
    if cpin is not False:
        c = out["changepoints"]
        pr = c["prior"]
        prior = (pr["mu0"], pr["kappa0"], pr["alpha0"], pr["beta0"])
        if "mu0" not in cpin:
            close(pr["mu0"], out["control"]["baseline"]["mean"], "prior mu0 = baseline mean")
        if "beta0" not in cpin:
            close(pr["beta0"], pr["alpha0"] * out["control"]["baseline"]["sd"] ** 2, "prior beta0")
        H, win, lag = c["hazard"], c["window"], c["lag"]
        thr = cpin.get("threshold", 0.5)
        det = []
        for t in range(n):
            post = run_posterior(x, t, H, prior)
            close(c["probability"][t], post[0], f"cp[{t}]")
            close(c["recent"][t], post[:win].sum(), f"recent[{t}]")
            assert c["map_run_length"][t] == int(np.argmax(post)), f"map[{t}]"
            if t >= lag:
                close(c["lagged"][t - lag], post[lag], f"lagged[{t - lag}]")
                if t - lag > 0 and post[lag] >= thr:
                    det.append(t - lag)
        assert all(v is None for v in c["lagged"][n - lag:]), "lagged tail"
        assert c["detected"] == det, f"detected {c['detected']} vs {det}"


def main():
    root = os.path.dirname(os.path.abspath(__file__))
    bad = 0
    for case in sorted(os.listdir(root)):
        d = os.path.join(root, case)
        if not os.path.isfile(os.path.join(d, "expected.json")):
            continue
        try:
            check_case(d)
            print(f"ok   {case}")
        except AssertionError as e:
            bad += 1
            print(f"FAIL {case}: {e}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
