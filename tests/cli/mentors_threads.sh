#!/bin/sh
# mentors_threads.sh PEERLINK: `match mentors` answers do not depend on the number of threads of
# the alternatives' searches (--threads, engine/match/mentors.c) nor on the CPU affinity mask the
# default follows. A generated program of 800 mentees x 250 mentors (enough searches for several
# threads to share them: at most one thread per 32) is answered with --threads 1, 2 and 7, with
# the default, and with the default under `taskset -c K` (one processor; skipped without taskset),
# as a compact document (written beside the searches when there are threads) and --pretty (the
# tree); every answer must be byte-identical to the one-thread answer. Passes on a one-processor
# machine too: --threads 7 still starts its threads there.
set -u
pl=$1
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail=0
"$pl" dataset generate profiles --mentees 800 --mentors 250 --seed 4 --no-timing > "$w/p.json" || exit 1
run() { # NAME 'PREFIX' OPTIONS...: compact and pretty answers as $w/NAME.c and $w/NAME.p
  n=$1 pre=$2; shift 2
  $pre "$pl" match mentors --no-timing "$@" --input "$w/p.json" > "$w/$n.c" || fail=1
  $pre "$pl" match mentors --no-timing --pretty "$@" --input "$w/p.json" > "$w/$n.p" || fail=1
}
run t1 "" --threads 1
run t2 "" --threads 2
run t7 "" --threads 7
run dflt ""
names="t2 t7 dflt"
# the first processor of this process's mask, if taskset can narrow it
cpu=$(taskset -cp $$ 2>/dev/null | sed 's/.*: *//; s/[-,].*//')
if [ -n "$cpu" ] && taskset -c "$cpu" true 2>/dev/null; then
  run one "taskset -c $cpu"
  run one7 "taskset -c $cpu" --threads 7
  names="$names one one7"
else
  echo "taskset not available: the affinity runs are skipped"
fi
grep -q '"alternatives":\[{"mentee"' "$w/t1.c" || { echo "no alternatives in the answer"; fail=1; }
for n in $names; do
  for k in c p; do
    cmp -s "$w/t1.$k" "$w/$n.$k" || { echo "$n ($k): differs from --threads 1"; fail=1; }
  done
done
# the option itself: 1 to 16, anything else a usage error and nothing on stdout
for bad in 0 17 -1 x 2x ""; do
  "$pl" match mentors --threads "$bad" --input "$w/p.json" > "$w/out" 2> "$w/err"
  rc=$?
  [ $rc = 2 ] || { echo "--threads '$bad': exit $rc, expected 2"; fail=1; }
  [ -s "$w/out" ] && { echo "--threads '$bad': output on a usage error"; fail=1; }
  grep -q '"code":"usage"' "$w/err" || { echo "--threads '$bad': no usage error"; cat "$w/err"; fail=1; }
done
[ $fail = 0 ] && echo "ok: match mentors answers byte-identical with 1, 2, 7 threads, the default and one processor"
exit $fail
