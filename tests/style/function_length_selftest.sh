#!/bin/sh
# function_length_selftest.sh: function_length.sh must fail on a function one line over the
# limit (in a sub-folder, as a new engine/ folder would be) and pass one at the limit, so that
# style.function_length cannot pass by not looking (issue 10: no function over 150 lines).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/engine/new"
# A function of n lines, signature to closing brace, in the house layout.
gen() {
	echo "static int f$1(void)"
	echo "{"
	i=3
	while [ $i -lt "$1" ]; do echo "	x++;"; i=$((i + 1)); done
	echo "}"
}
gen 150 >"$tmp/engine/new/at_limit.c"
sh "$here/function_length.sh" 150 "$tmp/engine" >/dev/null || { echo "a 150-line function was refused"; exit 1; }
gen 151 >"$tmp/engine/new/over.c"
out=$(sh "$here/function_length.sh" 150 "$tmp/engine") && { echo "a 151-line function passed"; exit 1; }
echo "$out" | grep -q "^151 .*over.c:1 f151$" || { echo "the report does not name it: $out"; exit 1; }
echo "ok"
