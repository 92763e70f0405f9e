#!/bin/sh
# check_umbrella.sh SOURCE_DIR: include/peerlink/peerlink.h includes every public header (and
# version.h, generated from version.h.in), so a new module cannot be left out of the umbrella.
set -eu
dir=$1/include/peerlink
missing=0
for h in "$dir"/*.h "$dir"/*.h.in; do
  b=$(basename "$h" .in)
  [ "$b" = peerlink.h ] && continue
  if ! grep -q "^#include <peerlink/$b>" "$dir/peerlink.h"; then
    echo "include/peerlink/peerlink.h does not include <peerlink/$b>"
    missing=1
  fi
done
exit $missing
