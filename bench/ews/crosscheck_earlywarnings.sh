#!/bin/sh
# Cross-check `peerlink risk ews` against base R's ksmooth and ar.ols (the routines earlywarnings'
# generic_ews uses) on a 150-day series. Needs r-base-core and python3-numpy (Debian packages).
# usage: sh bench/ews/crosscheck_earlywarnings.sh [path/to/peerlink]
set -e
bin=${1:-build/peerlink}
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
OUT=$out Rscript "$here/crosscheck_earlywarnings.R"
/usr/bin/python3 - "$bin" "$out" <<'PY'
import json, subprocess, sys
import numpy as np
r = json.load(open(sys.argv[2]))
doc = {"series": r["series"], "window": r["mw"], "detrend": {"ksmooth": r["bw"]},
       "moments": "population", "indicators": ["sd", "ar1", "skewness", "kurtosis"],
       "control": False, "changepoints": False}
o = json.loads(subprocess.run([sys.argv[1], "risk", "ews", "--no-timing"], input=json.dumps(doc),
                              capture_output=True, text=True, check=True).stdout)
arr = lambda v: np.array([np.nan if u is None else u for u in v])
print(f"trend      max |peerlink - R| = {np.nanmax(np.abs(arr(o['trend']) - arr(r['trend']))):.3g}")
for k in ["sd", "ar1", "skewness", "kurtosis"]:
    a, b = arr(o["indicators"][k]), arr(r[k])
    assert np.array_equal(np.isnan(a), np.isnan(b)), k
    print(f"{k:10s} max |peerlink - R| = {np.nanmax(np.abs(a - b)):.3g}")
for k in ["ar1", "sd"]:
    print(f"tau {k:6s} peerlink {o['kendall_tau'][k]:.15g}  R {r['tau_' + k]:.15g}")
PY
