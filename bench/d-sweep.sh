#!/usr/bin/env bash
# Scenario D (20,000 × 20 ms from nginx) at several concurrencies, parfetch against curl
# --parallel (the same libcurl) and wget2: how the client's CPU per request grows with the
# number of connections. Results: bench/results/latest-D-j<N>.txt for each N.
#
#   bench/d-sweep.sh [N ...]     (default: 250 500 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
for n in "${@:-250 500 1000}"; do
    for j in $n; do
        D_CONCURRENCY=$j RESULT_SUFFIX=-j$j TOOLS="${TOOLS:-parfetch wget2 curl}" PARFETCH_ARGS=--no-parse \
            RUNS=${RUNS:-3} bench/run.sh D
    done
done
