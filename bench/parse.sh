#!/usr/bin/env bash
# Parse throughput on one page, no network: parfetch's scanner alone, parfetch's full default
# page fields (decode, scan, resolve and de-duplicate links) on 1 and 2 threads, and Python
# lxml and selectolax doing title + all a[href]; alternating, RUNS times. Writes
# bench/results/latest-parse.txt. Usage: bench/parse.sh [FILE] (default the 107 KB page).
set -euo pipefail
cd "$(dirname "$0")/.."
page=${1:-fixtures/pages/bench-page.html}
runs=${RUNS:-3}
out=bench/results/latest-parse.txt
swift build -c release --product parse-bench >/dev/null
python3 -c 'import lxml, selectolax' 2>/dev/null || python3 -m pip install -q lxml selectolax
{
    echo "parse throughput, $(date -u '+%Y-%m-%d %H:%M:%S') UTC, nproc $(nproc), $(git rev-parse --short HEAD)"
    echo "page: $page ($(wc -c <"$page") bytes, $(grep -o '<a ' "$page" | wc -l) <a> tags); MB = 10^6 bytes"
    for run in $(seq 1 "$runs"); do
        echo "-- run $run"
        .build/release/parse-bench "$page" --mode scanner
        .build/release/parse-bench "$page" --mode fields
        .build/release/parse-bench "$page" --mode fields --threads 2
        python3 bench/parse_peers.py "$page"
    done
} | tee "$out"
echo "(written to $out)"
