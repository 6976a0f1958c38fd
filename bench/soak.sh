#!/usr/bin/env bash
# Soak: 200,000 URLs mixing every fixture route at -j 500 against the fixture server (loopback),
# through the library as the command runs it. Checks one record per URL, peak RSS at 10 % and
# at 100 % of the run (at most 10 % growth) and open descriptors back to the start count.
#
#   bench/soak.sh [URLS] [CONCURRENCY]     (defaults 200000 500)
#
# Result: bench/results/latest-soak.txt
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product soak >/dev/null
swift build -c release --product fixture-server >/dev/null
source scripts/fixture-server.sh
start_fixture_server
{
    echo "parfetch soak, $(date -u '+%Y-%m-%d %H:%M:%S +0000'), $(git rev-parse --short HEAD), nproc $(nproc)"
    echo "command: bench/soak.sh ${1:-200000} ${2:-500} (fixture server: .build/release/fixture-server on loopback)"
    /usr/bin/time -f "process: %e s wall, %U s user, %S s system, peak RSS %M kB" \
        .build/release/soak "$base" "${1:-200000}" "${2:-500}" 2>&1
} | tee bench/results/latest-soak.txt
