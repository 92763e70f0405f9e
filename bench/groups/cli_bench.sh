#!/bin/sh
# End to end through the CLI on generated profiles: `match groups` (groups of 6-10) and
# `match buddies`, timings split into parse / compat / solve as the answers report them.
#   bench/groups/cli_bench.sh [clients]   (default 500)
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-500}
out="$root/bench/out"
mkdir -p "$out"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
make -C "$root/build" -j2 peerlink_cli >/dev/null
pl="$root/build/peerlink"
"$pl" dataset generate profiles --clients "$n" --mentees 0 --mentors 0 --seed 5 > "$out/profiles_$n.json"
/usr/bin/python3 - "$out" "$n" <<'PY'
import json, sys
out, n = sys.argv[1], sys.argv[2]
c = json.load(open(f"{out}/profiles_{n}.json"))["clients"]
json.dump({"clients": c, "group_size": [6, 10], "seed": 1}, open(f"{out}/groups_{n}.json", "w"))
json.dump({"clients": c}, open(f"{out}/buddies_{n}.json", "w"))
PY
for cmd in groups buddies; do
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$out/time.txt" "$pl" match $cmd --input "$out/${cmd}_$n.json" --output "$out/${cmd}_$n.out.json"
  end=$(date +%s.%N)
  /usr/bin/python3 - "$out/${cmd}_$n.out.json" "$cmd" "$n" "$start" "$end" "$out/time.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d["summary"]; t = d["stats"]
wall = (float(sys.argv[5]) - float(sys.argv[4])) * 1000
cpu = sum(float(x) for x in open(sys.argv[6]).read().split()) * 1000
keys = ["placed", "objective", "upper_bound", "gap"] if sys.argv[2] == "groups" else ["pairs", "matched", "total"]
print(f"match {sys.argv[2]} n={sys.argv[3]}: " + ", ".join(f"{k}={s[k]}" for k in keys) +
      f"; parse {t['parse_ms']:.0f} ms, compat {t['compat_ms']:.0f} ms, solve {t['solve_ms']:.0f} ms, wall {wall:.0f} ms (cpu {cpu:.0f} ms)")
PY
done
