#!/bin/sh
# run.sh BUILD SECONDS [TARGET...]: run libFuzzer targets built in BUILD (cmake -DPEERLINK_FUZZ=ON)
# for SECONDS each, one after the other, from the seed corpora (seeds.py) plus whatever earlier
# runs kept in BUILD/corpus/<target>/. Every crash, leak, sanitizer report or timeout is saved
# as BUILD/artifacts/<target>/crash-* (or leak-, timeout-, oom-) and makes the script fail.
# PL_FUZZ_JOBS=2 runs two targets at a time; PL_FUZZ_FLAGS adds libFuzzer flags (for a long
# exploratory run past known findings: "-fork=1 -ignore_crashes=1 -ignore_timeouts=1").
# PL_FUZZ_CORPUS=DIR keeps the corpora in DIR/<target>/ instead (outside the build, so that a
# long run goes on in chunks across rebuilds) and every chunk's log as DIR/logs/<target>.<time>.log:
# tests/fuzz/plateau.py DIR reads those logs into coverage-against-executions curves.
set -u
build=$(cd "$1" && pwd)
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
# Default: every target built (fuzz_<target> in BUILD/tests/fuzz/).
targets=${*:-$(cd "$build/tests/fuzz" && ls fuzz_* | grep -v '^fuzz_replay_' | sed 's/^fuzz_//')}
python3 "$src/seeds.py" "$build/corpus-seed" >/dev/null || exit 1
corpus=${PL_FUZZ_CORPUS:-$build/corpus}

max_len() {
	case $1 in
	npy) echo 1024 ;;
	checkins) echo 4096 ;;
	import | import_profiles) echo 8192 ;;
	*) echo 16384 ;;
	esac
}

run_one() {
	t=$1
	mkdir -p "$corpus/$t" "$build/artifacts/$t"
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -dict="$build/corpus-seed/json.dict" \
		-artifact_prefix="$build/artifacts/$t/" -print_final_stats=1 ${PL_FUZZ_FLAGS:-} \
		"$corpus/$t" "$build/corpus-seed/$t" >"$build/artifacts/$t.log" 2>&1
	rc=$?
	if [ -n "${PL_FUZZ_CORPUS:-}" ]; then
		mkdir -p "$corpus/logs"
		cp "$build/artifacts/$t.log" "$corpus/logs/$t.$(date -u +%Y%m%dT%H%M%S).log"
	fi
	echo "$t: exit $rc, $(grep -E '^#[0-9]+.*(pulse|DONE|NEW|REDUCE)' "$build/artifacts/$t.log" | tail -1 | sed 's/  */ /g')"
	return $rc
}

fail=0
jobs=${PL_FUZZ_JOBS:-1}
set -- $targets
while [ $# -gt 0 ]; do
	if [ "$jobs" -ge 2 ] && [ $# -ge 2 ]; then
		run_one "$1" & p1=$!
		run_one "$2" || fail=1
		wait $p1 || fail=1
		shift 2
	else
		run_one "$1" || fail=1
		shift
	fi
done
ls "$build"/artifacts/*/ 2>/dev/null | grep -E '^(crash|leak|timeout|oom|slow-unit)-' && fail=1
exit $fail
