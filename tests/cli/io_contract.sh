#!/bin/sh
# io_contract.sh PEERLINK SOURCE_DIR: the output and input rules that golden files cannot express
# (README "Conventions"): special files written in place, atomic replacement under a file-size
# limit and under signals, read errors that are not end of input, files named inside an input.
# Each check prints "ok" or "FAIL ..."; the script fails when any check failed.
set -u
bin=$1
src=$(cd "$2" && pwd)
model=$src/models/default.json
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
work=$(mktemp -d /tmp/pl_io_XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
check() { # check NAME CONDITION...
  name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
no_temp() { ! ls "$work" | grep -q '\.tmp\.'; }
err_code() { grep -q "\"code\":\"$1\"" err; }

printf '{"costs": [[4, 1, 3], [2, 0, 5], [3, 2, 2]]}\n' >square.json
"$bin" solve assignment --no-timing --input square.json >expected.json
# 60 x 60: an answer of a few kilobytes, larger than the 1-block file-size limit below
awk 'BEGIN { printf "{\"costs\": ["; for (i = 0; i < 60; i++) { printf "%s[", i ? "," : "";
       for (j = 0; j < 60; j++) printf "%s%d", j ? "," : "", (i * 7 + j * 13) % 50; printf "]" }
       print "]}" }' >big.json

# ---- outputs that are not regular files are written in place, never replaced (finding 1)
mkfifo fifo
cat fifo >from_fifo &
reader=$!
[ -x "$bin" ] || { echo "FAIL no program $bin"; kill $reader; exit 1; }
"$bin" solve assignment --no-timing --input square.json --output fifo
rc=$?
# a reader still waiting for a writer (the node was replaced, or never opened) would hang here
if [ ! -p fifo ] || [ $rc != 0 ]; then kill $reader 2>/dev/null; fi
wait $reader
check "FIFO output: exit 0" [ $rc = 0 ]
check "FIFO output: still a FIFO" [ -p fifo ]
check "FIFO output: the reader got the answer" cmp -s from_fifo expected.json
if [ "$(id -u)" = 0 ] && mknod nulldev c 1 3 2>/dev/null; then
  "$bin" solve assignment --input square.json --output nulldev
  check "device output: exit 0" [ $? = 0 ]
  check "device output: still a character device" [ -c nulldev ]
  if [ -c nulldev ]; then # only once a private node survived: never risk the real /dev/null
    "$bin" solve assignment --input square.json --output /dev/null
    check "/dev/null output: exit 0" [ $? = 0 ]
    check "/dev/null is still a character device" [ -c /dev/null ]
  fi
else
  "$bin" solve assignment --input square.json --output /dev/null
  check "/dev/null output: exit 0" [ $? = 0 ]
  check "/dev/null is still a character device" [ -c /dev/null ]
fi
# what /dev/stdout is, as a private link (a program that replaced its output would replace the
# system's /dev/stdout)
ln -s /proc/self/fd/1 my_stdout
"$bin" solve assignment --no-timing --input square.json --output my_stdout >via_stdout
check "--output naming standard output writes it in place" cmp -s via_stdout expected.json
check "--output naming standard output: the link stays" [ -L my_stdout ]
"$bin" solve assignment --no-timing --input square.json --output - >via_dash
check "--output - writes standard output" cmp -s via_dash expected.json

# ---- a symlinked output: the target is replaced, the link stays
echo old >target.json
ln -s target.json link.json
"$bin" solve assignment --no-timing --input square.json --output link.json
check "symlink output: link kept" [ -L link.json ]
check "symlink output: target replaced" cmp -s target.json expected.json
rm -f link.json target.json

# ---- a file-size limit: exit 1 with io_error, the previous output intact, no temporary file
for args in "solve assignment --pretty --input big.json" \
            "dataset generate checkins --clients 50" \
            "dataset generate checkins --clients 50 --jsonl"; do
  echo "previous answer" >out.json
  (ulimit -f 1; exec "$bin" $args --output out.json) 2>err
  rc=$?
  check "ulimit -f, $args: exit 1 (not 153)" [ $rc = 1 ]
  check "ulimit -f, $args: io_error" err_code io_error
  check "ulimit -f, $args: previous output intact" grep -qx "previous answer" out.json
  check "ulimit -f, $args: no temporary file" no_temp
done
# a stream to standard output says how far it got
(ulimit -f 4; exec "$bin" dataset generate checkins --clients 50 --days 30 --jsonl) >out.jsonl 2>err
rc=$?
check "ulimit -f, stream to stdout: exit 1" [ $rc = 1 ]
check "ulimit -f, stream to stdout: says how many records got out" grep -q 'failed after [0-9]* records' err
lines=$(wc -l <out.jsonl)
check "ulimit -f, stream to stdout: whole records flushed before the failure" \
  grep -q "failed after $lines records" err
rm -f out.json out.jsonl

# ---- signals mid-stream leave no temporary file and no output (finding 11)
for sig in TERM INT HUP; do
  # env --default-signal: a background job of a non-interactive shell starts with SIGINT ignored
  env --default-signal="$sig" "$bin" dataset generate checkins --clients 200000 --output many.json &
  pid=$!
  n=0
  while ! ls | grep -q 'many\.json\.tmp\.' && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
  sleep 0.3
  kill -s "$sig" $pid
  wait $pid
  rc=$?
  check "SIG$sig mid-stream: killed by the signal" [ $rc -gt 128 ]
  check "SIG$sig mid-stream: no temporary file" no_temp
  check "SIG$sig mid-stream: no output file" [ ! -e many.json ]
done

# ---- risk score --jsonl streams through the same writer (--output allowed)
"$bin" dataset generate checkins --clients 3 --days 40 --jsonl --no-truth >clients.jsonl
"$bin" risk score --model "$model" --jsonl --input clients.jsonl >scored_stdout.jsonl
"$bin" risk score --model "$model" --jsonl --input clients.jsonl --output scored_file.jsonl
check "risk score --jsonl --output equals standard output" cmp -s scored_stdout.jsonl scored_file.jsonl

# ---- a read error is never the end of the input (findings 2 and 3)
# A directory as --input is an io_error that says so, for documents and JSON Lines alike.
for args in "solve assignment" "risk train --jsonl" "risk evaluate --cv 2 --jsonl" \
            "risk score --model $model --jsonl" "risk score --model $model"; do
  "$bin" $args --input "$work" >out 2>err
  rc=$?
  check "directory input, $args: exit 1" [ $rc = 1 ]
  check "directory input, $args: io_error naming a directory" grep -q '"io_error".*directory' err
  check "directory input, $args: nothing on stdout" [ ! -s out ]
done
"$bin" risk score --model "$work" --input clients.jsonl --jsonl >out 2>err
check "directory as --model: exit 1 io_error, not invalid JSON" sh -c "[ $? = 1 ] && grep -q io_error err"
"$bin" dataset generate checkins --params "$work" >out 2>err
check "directory as --params: exit 1 io_error" sh -c "[ $? = 1 ] && grep -q io_error err"
# Memory running out is out_of_memory (exit 1), never a syntax error or a silent end of input.
# OPENBLAS_NUM_THREADS=1: OpenBLAS's own threads retry a failed mmap forever under ulimit -v.
# MALLOC_ARENA_MAX=1: each thread's malloc arena reserves 64 MB of address space, so under ulimit -v
# whether the reader or a scoring thread runs out first depended on scheduling (flaky on a busy CI).
# A sanitizer build reserves terabytes of address space and cannot start under ulimit -v: skipped.
if (ulimit -v 150000; MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1 exec "$bin" --version) >/dev/null 2>&1; then
  "$bin" dataset generate checkins --clients 41 --days 40 --jsonl --no-truth >clients41.jsonl
  (head -n 20 clients41.jsonl; head -c 200000000 /dev/zero | tr '\0' 'x'; echo
   tail -n +21 clients41.jsonl) |
    (ulimit -v 150000; MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1 exec "$bin" risk score --model "$model" --jsonl --as-of 2026-03-01) \
    >out 2>err
  rc=$?
  # A 200 MB line is past the 16 MiB record limit, which stops the read before memory runs out
  # (a line under the limit that does not fit in memory is out_of_memory: tests/unit/test_nomem.c).
  check "line longer than memory (risk score --jsonl): exit 3, not 0 or a crash" [ $rc = 3 ]
  check "line longer than memory: the record limit at line 21" grep -q '"invalid_input".*line 21 is longer than the limit' err
  check "line longer than memory: the 20 clients before it answered" [ "$(wc -l <out)" = 20 ]
  (head -n 3 clients41.jsonl; head -c 200000000 /dev/zero | tr '\0' 'x'; echo) |
    (ulimit -v 150000; MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1 exec "$bin" risk train --jsonl) >out 2>err
  check "line longer than memory (risk train --jsonl): the record limit" err_code invalid_input
  (printf '{"costs": [['; head -c 30000000 /dev/zero | tr '\0' '0' | sed 's/0/0,/g'; printf '0]]}') |
    (ulimit -v 150000; MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1 exec "$bin" solve assignment) >out 2>err
  rc=$?
  check "document too large for memory: exit 1" [ $rc = 1 ]
  check "document too large for memory: out_of_memory, not a syntax error" err_code out_of_memory
else
  echo "skip ulimit -v cases: the program cannot start under ulimit -v (a sanitizer build)"
fi

# ---- files named inside an input: regular files inside the input's folder (finding 12)
mkdir -p req/sub outside
cp "$src/tests/cli/solve_assignment/npy_file/costs.npy" req/m.npy
cp req/m.npy req/sub/m.npy
cp req/m.npy outside/SECRETNAME.npy
mkfifo req/SECRETFIFO
ln -s ../outside/SECRETNAME.npy req/SECRETLINK.npy
ln -s sub/m.npy req/inner_link.npy
ln -s /dev/zero req/SECRETZERO
npy_case() { # npy_case NAME EXPECTED_EXIT: solve assignment on {"costs": {"npy": NAME}}
  printf '{"costs": {"npy": "%s"}}' "$1" >req/in.json
  timeout 10 "$bin" solve assignment --input req/in.json >out 2>err
  echo $?
}
check "npy in the folder: accepted" [ "$(npy_case m.npy)" = 0 ]
check "npy in a subfolder: accepted" [ "$(npy_case sub/m.npy)" = 0 ]
check "npy through a link inside the folder: accepted" [ "$(npy_case inner_link.npy)" = 0 ]
for name in "$work/outside/SECRETNAME.npy" ../outside/SECRETNAME.npy sub/../../outside/SECRETNAME.npy \
            SECRETLINK.npy SECRETFIFO SECRETZERO /dev/zero; do
  check "npy '$name': exit 3 (not read, not blocking)" [ "$(npy_case "$name")" = 3 ]
  check "npy '$name': invalid_input at /costs/npy" grep -q '"invalid_input".*"pointer":"/costs/npy"' err
  check "npy '$name': the name is not echoed" sh -c '! grep -q SECRET err && ! grep -q outside err'
done
# standard input: names are relative to the current folder, same rules
(cd req && printf '{"costs": {"npy": "m.npy"}}' | "$bin" solve assignment >/dev/null 2>&1)
check "npy from stdin, relative to the current folder: accepted" [ $? = 0 ]
(cd req && printf '{"costs": {"npy": "../outside/SECRETNAME.npy"}}' | "$bin" solve assignment >/dev/null 2>&1)
check "npy from stdin with '..': exit 3" [ $? = 3 ]
printf 'id,date,craving\na,2026-01-01,3\n' >req/data.csv
for spec in '{"data": "SECRETFIFO", "date": "date", "measures": {"craving": "craving"}}' \
            '{"data": "/etc/passwd", "date": "date", "measures": {"craving": "craving"}}' \
            '{"data": "../outside/SECRETNAME.npy", "date": "date", "measures": {"craving": "craving"}}' \
            '{"format": "openesm", "data": "data.csv", "metadata": "/etc/passwd", "delimiter": ",", "measures": {"craving": "craving"}}' \
            '{"format": "openesm", "data": "data.csv", "metadata": "SECRETFIFO", "delimiter": ",", "measures": {"craving": "craving"}}'; do
  printf '%s' "$spec" >req/spec.json
  timeout 10 "$bin" dataset import --input req/spec.json >out 2>err
  rc=$?
  check "import $spec: exit 3" [ $rc = 3 ]
  check "import $spec: points at the naming field" grep -q '"pointer":"/\(data\|metadata\)"' err
  check "import $spec: the name is not echoed" sh -c '! grep -q "SECRET\|passwd" err'
done
printf '{"data": "data.csv", "date": "date", "measures": {"craving": "craving"}}' >req/spec.json
"$bin" dataset import --input req/spec.json >out 2>err
check "import of a file in the spec's folder: accepted" [ $? = 0 ]

if [ $fails -gt 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
exit 0
