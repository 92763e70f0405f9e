#!/bin/sh
# bench/matching/run.sh: peerlink `solve matching` against LEMON's MaxWeightedMatching and
# NetworkX's max_weight_matching on identical seeded instances; checks that all totals agree and
# prints solve times (median of REPS runs; JSON parsing and graph building are not timed) with
# the ratio peerlink / LEMON.
#
#   sh bench/matching/run.sh            (from the repository root)
#   REPS=5 NX_MAX_N=300 DATA=/tmp/x sh bench/matching/run.sh
#
# NetworkX is pure Python and O(n^3): it runs only on instances with n <= NX_MAX_N (default 500)
# and is stopped after NX_TIMEOUT seconds (default 600).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
REPS=${REPS:-3}
NX_MAX_N=${NX_MAX_N:-500}
NX_TIMEOUT=${NX_TIMEOUT:-600}
DATA=${DATA:-/tmp/peerlink-bench-matching}
PY=/usr/bin/python3
mkdir -p "$DATA"

# Build peerlink (Release) and the LEMON driver.
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DPEERLINK_TESTS=OFF >/dev/null
make -C "$root/build-bench" -j2 peerlink_cli >/dev/null
PEERLINK="$root/build-bench/peerlink"
g++ -O2 -std=c++11 -o "$DATA/lemon_bench" "$here/lemon_bench.cpp"

# name kind n p seed wmax
cat >"$DATA/instances" <<'LIST'
complete300 complete 300 1 101 1000000
complete500 complete 500 1 102 1000000
complete1000 complete 1000 1 103 1000000
complete1000_ties complete 1000 1 104 100
complete2000 complete 2000 1 105 1000000
sparse5000_a gnp 5000 0.01 106 1000000
sparse5000_b gnp 5000 0.01 107 1000000
LIST

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-18s %6s %8s %14s %11s %11s %11s %9s\n' instance n edges total peerlink_ms lemon_ms networkx_ms pl/lemon
while read -r name kind n p seed wmax; do
	[ -f "$DATA/$name.json" ] || $PY "$here/gen.py" "$kind" "$n" "$p" "$seed" "$wmax" "$DATA/$name"
	m=$(head -1 "$DATA/$name.txt" | cut -d' ' -f2)
	pl_times="" lemon_times=""
	for r in $(seq "$REPS"); do
		out=$("$PEERLINK" solve matching --input "$DATA/$name.json")
		pl_total=$(printf '%s' "$out" | $PY -c 'import json,sys; print(json.load(sys.stdin)["total"])')
		pl_times="$pl_times $(printf '%s' "$out" | $PY -c 'import json,sys; print(json.load(sys.stdin)["stats"]["solve_ms"])')"
		set -- $("$DATA/lemon_bench" "$DATA/$name.txt")
		lemon_total=$2
		lemon_times="$lemon_times $4"
	done
	pl_ms=$(echo $pl_times | tr ' ' '\n' | median)
	lemon_ms=$(echo $lemon_times | tr ' ' '\n' | median)
	nx_ms="skipped" nx_total=""
	if [ "$n" -le "$NX_MAX_N" ]; then
		if res=$(timeout "$NX_TIMEOUT" $PY "$here/nx_bench.py" "$DATA/$name.txt"); then
			set -- $res
			nx_total=$2
			nx_ms=$4
		else
			nx_ms="timeout"
		fi
	fi
	if [ "$pl_total" != "$lemon_total" ] || { [ -n "$nx_total" ] && [ "$nx_total" != "$pl_total" ]; }; then
		echo "MISMATCH on $name: peerlink $pl_total, LEMON $lemon_total, NetworkX ${nx_total:-n/a}" >&2
		exit 1
	fi
	ratio=$(awk -v a="$pl_ms" -v b="$lemon_ms" 'BEGIN { printf "%.3f", a / b }')
	printf '%-18s %6s %8s %14s %11.1f %11.1f %11s %9s\n' "$name" "$n" "$m" "$pl_total" "$pl_ms" "$lemon_ms" "$nx_ms" "$ratio"
done <"$DATA/instances"
echo "all totals agree (peerlink = LEMON = NetworkX where run); times in ms, median of $REPS runs"
