#!/bin/sh
# run_case.sh PEERLINK CASEDIR: one golden CLI case.
#   args                 the arguments, one line, split on spaces (run from CASEDIR)
#   input.json           fed on stdin when present
#   expected.json        stdout must equal it byte for byte (cases pass --no-timing)
#   expected_error.json  stderr must equal it byte for byte
#   exit_code            the expected exit code (default 0)
set -u
bin=$1
dir=$2
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
if [ -f expected.json ] && ! cmp -s "$out" expected.json; then
  echo "stdout differs from expected.json:"; diff "$out" expected.json | head -40; fail=1
fi
if [ -f expected_error.json ] && ! cmp -s "$err" expected_error.json; then
  echo "stderr differs from expected_error.json:"; diff "$err" expected_error.json | head -20; fail=1
fi
if [ ! -f expected_error.json ] && [ -s "$err" ]; then
  echo "unexpected stderr:"; head -5 "$err"; fail=1
fi
exit $fail
