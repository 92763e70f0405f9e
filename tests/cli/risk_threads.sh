#!/bin/sh
# risk_threads.sh PEERLINK SOURCE_DIR: `risk score` answers do not depend on the number of
# scoring threads (PEERLINK_THREADS, engine/json/risk_stream.c): a generated cohort of 400
# clients (more than the 256-slot ring) is scored with 1, 2, 3 and 8 threads, as a document
# (compact and --pretty) and as JSON Lines, and every answer must be byte-identical to the
# one-thread answer. An error (a bad client late in the input) must be the same one too. Issue 12:
# risk evaluate's references (the observable Kalman reference and the full-information Monte
# Carlo oracle, one random stream per client) with 1, 2, 3 and 8 --threads, byte-identical too.
set -u
pl=$1
model=$2/models/default.json
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail=0
"$pl" dataset generate checkins --clients 400 --days 60 --seed 5 --no-timing > "$w/doc.json" || exit 1
"$pl" dataset generate checkins --clients 400 --days 60 --seed 5 --no-timing --jsonl > "$w/lines.jsonl" || exit 1
# the same document with client 350's first craving out of range
sed 's/"c00351","start":"\([0-9-]*\)","attributes":{[^}]*},"measures":{"craving":\[[0-9]*/&9/' \
  "$w/doc.json" > "$w/bad.json"
for t in 1 2 3 8; do
  PEERLINK_THREADS=$t "$pl" risk score --model "$model" --no-timing --input "$w/doc.json" > "$w/doc.$t" || fail=1
  PEERLINK_THREADS=$t "$pl" risk score --model "$model" --no-timing --pretty --input "$w/doc.json" > "$w/pretty.$t" || fail=1
  PEERLINK_THREADS=$t "$pl" risk score --model "$model" --no-timing --jsonl --as-of 2026-12-31 \
    --input "$w/lines.jsonl" > "$w/lines.$t" || fail=1
  PEERLINK_THREADS=$t "$pl" risk score --model "$model" --no-timing --input "$w/bad.json" \
    > "$w/badout.$t" 2> "$w/bad.$t"
  echo $? >> "$w/bad.$t"
  "$pl" risk evaluate --model "$model" --no-timing --jsonl --input "$w/lines.jsonl" --bootstrap 10 \
    --generator default --generator-seed 5 --oracle-draws 20 --threads $t > "$w/refs.$t" || fail=1
done
grep -q '"full_information"' "$w/refs.1" || { echo "no full-information oracle in the evaluation"; fail=1; }
[ "$(wc -l < "$w/lines.1")" -eq 400 ] || { echo "expected 400 answer lines"; fail=1; }
grep -q '"pointer":"/clients/350/measures/craving/0"' "$w/bad.1" || { echo "the bad client's error is not reported"; cat "$w/bad.1"; fail=1; }
[ -s "$w/badout.1" ] && { echo "output on error"; fail=1; }
for t in 2 3 8; do
  for k in doc pretty lines bad refs; do
    cmp -s "$w/$k.1" "$w/$k.$t" || { echo "$k: $t threads differ from 1 thread"; fail=1; }
  done
done
[ $fail = 0 ] && echo "ok: 1, 2, 3 and 8 threads give byte-identical answers and errors"
exit $fail
