#!/bin/sh
# run_case.sh PEERLINK JSON_COMPARE CASEDIR: one golden CLI case (POSIX sh).
#   args                 the arguments, one line, split on spaces (run from CASEDIR)
#   input.json           fed on stdin when present
#   expected.json        stdout must match it (JSON or JSON Lines) under json_compare's rule:
#                        structure, key order, strings, integers, booleans, null exact; reals within
#                        1e-9 relative (tests/cli/json_compare.c says why). Cases pass --no-timing.
#   expected.csv         stdout must equal it byte for byte (--format csv rosters)
#   expected_error.json  stderr must hold exactly this error object (code, message, pointer, and
#                        line/column when present: all strings and integers, so compared exactly)
#                        and stdout must be EMPTY: an error never leaves partial output.
#   exit_code            the expected exit code (default 0)
# A case with neither expected file is malformed and fails.
#
# Comparing values rather than bytes is what lets the suite pass on every CPU: OpenBLAS picks a
# kernel per CPU and FMA contraction changes the last printed digit of some reals. Checked on
# this machine (README, "Development") with OPENBLAS_CORETYPE=Prescott, Nehalem, Sandybridge,
# Haswell, SkylakeX and Zen, with -ffp-contract=fast and with clang -march=native.
set -u
bin=$1
cmp_json=$2
dir=$3
# The case runs from its own folder: make relative program paths absolute first.
case $bin in /*) ;; */*) bin=$(pwd)/$bin ;; esac
case $cmp_json in /*) ;; */*) cmp_json=$(pwd)/$cmp_json ;; esac
cd "$dir" || exit 1
want_rc=0
[ -f exit_code ] && want_rc=$(cat exit_code)
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
if [ -f input.json ]; then
  $bin $(cat args) <input.json >"$out" 2>"$err"
else
  $bin $(cat args) </dev/null >"$out" 2>"$err"
fi
rc=$?
fail=0
if [ "$rc" != "$want_rc" ]; then
  echo "exit code $rc, expected $want_rc"; fail=1
fi
if [ -f expected.json ]; then
  if ! "$cmp_json" expected.json "$out"; then
    echo "stdout does not match expected.json (above)"; fail=1
  fi
  if [ -s "$err" ]; then
    echo "unexpected stderr:"; head -5 "$err"; fail=1
  fi
elif [ -f expected.csv ]; then
  # a CSV answer (--format csv): compared byte for byte (its numbers are printed rounded)
  if ! cmp -s expected.csv "$out"; then
    echo "stdout does not match expected.csv:"; diff expected.csv "$out" | head -10; fail=1
  fi
  if [ -s "$err" ]; then
    echo "unexpected stderr:"; head -5 "$err"; fail=1
  fi
elif [ -f expected_error.json ]; then
  if [ -s "$out" ]; then
    echo "stdout must be empty on an error, got $(wc -c <"$out") bytes:"; head -c 300 "$out"; echo
    fail=1
  fi
  if ! "$cmp_json" expected_error.json "$err"; then
    echo "stderr does not match expected_error.json (above)"; fail=1
  fi
else
  echo "malformed case: no expected.json, expected.csv or expected_error.json"; fail=1
fi
exit $fail
