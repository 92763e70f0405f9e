#!/bin/sh
# week.sh: one week of the example program, the sequence docs/outreach.md describes: score
# today's risk, plan today's outreach, re-match mentors, form and staff this week's groups.
#   sh datasets/examples/week.sh [DAY] [OUTDIR]    (PEERLINK=path/to/peerlink to pick a build)
set -eu
pl=${PEERLINK:-peerlink}
ex=$(dirname "$0")
day=${1:-2026-04-16}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
# 1. Today's risk, scored as of today so that silence (days without a check-in) shows.
"$pl" risk score --input "$ex/cohort_20.json" --as-of "$day" --output "$out/risk.json"
# 2. Who reaches out to whom: outreach.json names "risk.json" next to it.
cp "$ex/outreach.json" "$out/outreach.json"
"$pl" outreach --input "$out/outreach.json" --output "$out/outreach_answer.json"
# 3. Re-match mentors (current matches kept unless a better one is worth the change).
"$pl" match mentors --input "$ex/program.json" --output "$out/mentors.json"
# 4. This week's groups from last week's rosters ("current"): everyone stays unless their exposure
#    step now allows a larger group (the answer's "rosters" says who moves and why); facilitators
#    assigned.
"$pl" match groups --input "$ex/groups_current.json" --as-of 2026-05-25 --output "$out/groups.json"
echo "answers in $out"
