#!/bin/sh
# check_man.sh PEERLINK SOURCE_DIR: the committed docs/peerlink.1 is exactly what the program
# prints from its dispatch table (`peerlink --man`), so the page cannot fall behind the options;
# and groff reads it without a warning (when groff is installed).
set -eu
bin=$1
src=$2
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.err"' EXIT
"$bin" --man >"$tmp"
if ! cmp -s "$tmp" "$src/docs/peerlink.1"; then
  echo "docs/peerlink.1 differs from 'peerlink --man'; regenerate it with"
  echo "  cmake --build build --target man"
  diff "$src/docs/peerlink.1" "$tmp" | head -40
  exit 1
fi
if command -v groff >/dev/null 2>&1; then
  groff -man -ww -z -Tutf8 "$tmp" 2>"$tmp.err"
  if [ -s "$tmp.err" ]; then cat "$tmp.err"; exit 1; fi
else
  echo "SKIPPED: groff warnings check (groff is not installed)"
fi
