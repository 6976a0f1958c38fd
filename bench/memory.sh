#!/usr/bin/env bash
# Peak memory against list length (issue 5): the same run over 100,000 and 1,000,000 URLs
# (small answers from the bundled fixture server on loopback, -j 100), peak RSS from
# /usr/bin/time -v. Memory must not grow with the list.
#
#   bench/memory.sh                  # 100,000 and 1,000,000 URLs
#   SIZES="10000 100000" bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-100000 1000000}
J=${J:-100}
[ -x .build/release/parfetch ] && [ -x .build/release/fixture-server ] || swift build -c release >/dev/null

source scripts/fixture-server.sh
start_fixture_server

report=bench/results/latest-memory.txt
{
    echo "memory against list length, $(date '+%F %T %z'), parfetch $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "each URL $base/status/204?i=N (fixture server, loopback), parfetch -j $J --per-host $J --no-parse -o FILE"
} | tee "$report"
for n in $SIZES; do
    python3 -c "
import sys
base, n = sys.argv[1], int(sys.argv[2])
with open(sys.argv[3], 'w') as f:
    for i in range(n):
        f.write(f'{base}/status/204?i={i}\n')
" "$base" "$n" "$work/list-$n.txt"
    /usr/bin/time -v .build/release/parfetch -j "$J" --per-host "$J" --no-parse -o "$work/out-$n.jsonl" "$work/list-$n.txt" 2>"$work/time-$n.txt"
    records=$(wc -l <"$work/out-$n.jsonl")
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$work/time-$n.txt")
    wall=$(awk -F': ' '/Elapsed \(wall/ { print $2 }' "$work/time-$n.txt")
    printf '%9d URLs: %9d records, peak RSS %6.1f MB, wall %s\n' "$n" "$records" "$(echo "$rss / 1024" | bc -l)" "$wall" | tee -a "$report"
    rm -f "$work/out-$n.jsonl" "$work/list-$n.txt"
done
