#!/bin/sh
# tests/cli/jsonl_records.sh PEERLINK SOURCE_DIR: `match mentors|buddies|groups --jsonl` answers
# each line as the command answers that request alone. Every golden case of the three commands
# that succeeds is one line of a JSON Lines input (with a blank line and the cases in folder
# order); line k of the --jsonl answer must be byte for byte the compact single-document answer
# of case k. Needs python3 to compact the inputs (exit 77, skipped, without it).
set -u
pl=$1 src=$2
case $pl in /*) ;; */*) pl=$(pwd)/$pl ;; esac
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
for cmd in mentors buddies groups; do
	: >"$tmp/in.jsonl"
	: >"$tmp/want.jsonl"
	n=0
	for dir in "$src"/tests/cli/match_$cmd/*/; do
		[ -f "$dir/input.json" ] && [ -f "$dir/expected.json" ] || continue
		case $(cat "$dir/args") in *--as-of*|*--jsonl*) continue ;; esac
		python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
			"$dir/input.json" >>"$tmp/in.jsonl" || exit 1
		[ $n -eq 0 ] && echo "" >>"$tmp/in.jsonl" # a blank line: skipped, still counted
		(cd "$dir" && "$pl" match $cmd --no-timing <input.json) >>"$tmp/want.jsonl" || exit 1
		n=$((n + 1))
	done
	"$pl" match $cmd --jsonl --no-timing <"$tmp/in.jsonl" >"$tmp/got.jsonl"
	rc=$?
	if [ $rc -ne 0 ] || ! cmp -s "$tmp/want.jsonl" "$tmp/got.jsonl"; then
		echo "FAIL match $cmd --jsonl (exit $rc): differs from the single-document answers"
		fails=$((fails + 1))
	else
		echo "match $cmd --jsonl: $n lines, each the single-document answer"
	fi
done
[ $fails -eq 0 ]
