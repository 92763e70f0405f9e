#!/bin/sh
# function_length.sh MAX PATH...: fail when a C function in the given files (or *.c anywhere
# below the given folders) is longer than MAX lines, signature to closing brace. Functions follow the house
# layout (STYLE.md): the signature starts in column 0 and the body's braces sit in column 0, so
# awk finds them without a parser. Prints every function over the limit, longest first.
# Usage (tests/CMakeLists.txt): function_length.sh 150 engine (every folder of the library and
# the CLI, so a new one is covered without a list to update); function_length_selftest.sh checks
# that it does fail on a long function.
set -u
max=$1
shift
files=""
for p in "$@"; do
	if [ -d "$p" ]; then
		files="$files $(find "$p" -name '*.c' | sort)"
	else
		files="$files $p"
	fi
done
# shellcheck disable=SC2086
awk -v max="$max" '
FNR == 1 { sig = 0 }
/^[A-Za-z_].*\(/ && !/;[ \t]*$/ { sig = FNR; name = $0 }
/^\{/ && sig { start = sig; fname = name }
/^\}/ && start {
	len = FNR - start + 1
	if (len > max) {
		sub(/\(.*/, "", fname); n = split(fname, w, /[ *]+/)
		printf "%d %s:%d %s\n", len, FILENAME, start, w[n]
	}
	start = 0; sig = 0
}' $files | sort -rn > "${TMPDIR:-/tmp}/function_length.$$"
if [ -s "${TMPDIR:-/tmp}/function_length.$$" ]; then
	echo "functions longer than $max lines:"
	cat "${TMPDIR:-/tmp}/function_length.$$"
	rm -f "${TMPDIR:-/tmp}/function_length.$$"
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/function_length.$$"
exit 0
