#!/bin/sh
# jsonl_limit.sh PEERLINK: the 16 MiB limit on one JSON Lines record (PL_LIMIT_LINE_BYTES,
# docs/bad-input.md) on every command that reads JSON Lines. The long lines are made here, not
# committed: a record of exactly the limit (spaces, then a client) is read; one byte more is
# exit 3, invalid_input, naming the line, with the records before it still answered where the
# command streams. Each check prints "ok" or "FAIL ..."; the script fails when any check failed.
set -u
bin=$1
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
work=$(mktemp -d /tmp/pl_jsonl_XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
limit=16777216

check() { # check NAME 'SHELL CONDITION'
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
# pad_line JSON EXTRA: JSON preceded by spaces so that the line holds limit + EXTRA bytes
# before its newline.
pad_line() {
  n=$(printf '%s' "$1" | wc -c)
  head -c $((limit + $2 - n)) /dev/zero | tr '\0' ' '
  printf '%s\n' "$1"
}
client='{"id": "A", "checkins": [{"date": "2026-03-01", "craving": 6}, {"date": "2026-03-02", "craving": 5}]}'
second='{"id": "B", "checkins": [{"date": "2026-03-01", "craving": 2}]}'
{ printf '%s\n' "$client"; pad_line "$second" 0; } >at_limit.jsonl
{ printf '%s\n' "$client"; pad_line "$second" 1; } >over_limit.jsonl
check "the lines are the size they claim" \
  '[ "$(sed -n 2p over_limit.jsonl | wc -c)" -eq $((limit + 2)) ] && [ "$(sed -n 2p at_limit.jsonl | wc -c)" -eq $((limit + 1)) ]'

"$bin" risk score --jsonl --as-of 2026-03-05 --no-timing <at_limit.jsonl >out 2>err
rc=$?
check "risk score: a record of exactly 16 MiB is read" '[ $rc = 0 ] && [ "$(wc -l <out)" = 2 ] && [ ! -s err ]'

"$bin" risk score --jsonl --as-of 2026-03-05 --no-timing <over_limit.jsonl >out 2>err
rc=$?
check "risk score: one byte more is exit 3" '[ $rc = 3 ]'
check "risk score: the error names line 2 and the limit" \
  "grep -q '\"code\":\"invalid_input\",\"message\":\"line 2 is longer than the limit of 16 MiB for one JSON Lines record\"' err"
check "risk score: the client before it is answered" '[ "$(wc -l <out)" = 1 ] && grep -q "\"id\":\"A\"" out'

for cmd in "risk train" "risk evaluate --cv 2"; do
  "$bin" $cmd --jsonl --no-timing <over_limit.jsonl >out 2>err
  rc=$?
  check "$cmd: exit 3 naming line 2, nothing on stdout" \
    '[ $rc = 3 ] && [ ! -s out ] && grep -q "\"message\":\"line 2 is longer than the limit of 16 MiB" err'
done

# report evaluation --rows reads JSON Lines from a file
printf '{"metrics": {}}\n' >evaluation.json
{ printf '{"client": "A", "day": 0, "risk": 0.5, "lapse": 0}\n'; pad_line '{}' 1; } >rows.jsonl
"$bin" report evaluation --input evaluation.json --rows rows.jsonl >out 2>err
rc=$?
check "report evaluation --rows: exit 3 naming the option and line 2, nothing on stdout" \
  '[ $rc = 3 ] && [ ! -s out ] && grep -q "\"message\":\"--rows: line 2 is longer than the limit of 16 MiB" err'

[ $fails = 0 ] || { echo "$fails check(s) failed"; exit 1; }
