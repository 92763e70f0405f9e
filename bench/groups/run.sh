#!/bin/sh
# Build the library (Release) and run the grouping benchmark: bench/groups/run.sh [n]
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
make -C "$root/build" -j2 peerlink >/dev/null
mkdir -p "$root/bench/out"
cc -O2 -std=c11 -I"$root/include" -I"$root/build/include" "$root/bench/groups/bench_groups.c" -L"$root/build" -lpeerlink -lm \
   -Wl,-rpath,"$root/build" -o "$root/bench/out/bench_groups"
"$root/bench/out/bench_groups" "$@"
