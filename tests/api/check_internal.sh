#!/bin/sh
# check_internal.sh SOURCE_DIR: the public headers (include/peerlink/) name nothing internal: no
# pl__ identifier and no type declared in an engine internal header (engine/*/*_int.h). What a
# library user sets or reads belongs in the public headers; how the engine runs (thread budgets,
# workspaces, byte buffers) stays behind its internal headers, where it can change without an
# API change (CHANGELOG.md).
set -eu
src=$1
bad=0
if grep -n 'pl__[A-Za-z0-9_]*' "$src"/include/peerlink/*.h "$src"/include/peerlink/*.h.in; then
  echo "a public header names a pl__ (internal) identifier (above)"
  bad=1
fi
# typedef names of the internal headers: "typedef struct NAME" and "} NAME;"
names=$( { sed -n 's/^typedef struct \([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$src"/engine/*/*_int.h
           sed -n 's/^} *\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' "$src"/engine/*/*_int.h; } | sort -u)
for n in $names; do
  if grep -nw "$n" "$src"/include/peerlink/*.h "$src"/include/peerlink/*.h.in; then
    echo "a public header names $n, a type of an engine internal header (above)"
    bad=1
  fi
done
[ -n "$names" ] || { echo "no internal type found: the pattern no longer matches"; bad=1; }
exit $bad
