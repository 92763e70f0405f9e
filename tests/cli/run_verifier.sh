#!/bin/sh
# run_verifier.sh MODULES SCRIPT [ARGS...]: runs an independent Python verifier of golden files
# (tests/cli/*/verify*.py) from the script's folder (POSIX sh). MODULES is a comma-separated list
# of Python modules the script needs ("numpy,scipy", or "" for the standard library only).
# Without a python3 that imports them the test exits 77, which tests/CMakeLists.txt declares as
# SKIP_RETURN_CODE: ctest then reports it as "Skipped" rather than passing silently.
set -u
modules=$1
script=$2
shift 2
imports=$(printf '%s' "$modules" | tr ',' ' ')
for py in python3 /usr/bin/python3; do
  command -v "$py" >/dev/null 2>&1 || continue
  if [ -z "$imports" ] || "$py" -c "import $(printf '%s' "$imports" | sed 's/ /, /g')" 2>/dev/null; then
    cd "$(dirname "$script")" || exit 1
    exec "$py" "$(basename "$script")" "$@"
  fi
done
echo "SKIP: no python3 that imports: ${imports:-(nothing)}"
exit 77
