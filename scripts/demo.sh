#!/usr/bin/env bash
# Runs parfetch on the demo list against the bundled fixture server (loopback only).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/fixture-server.sh
start_fixture_server

sed "s#{{BASE}}#$base#g" fixtures/lists/demo.txt >"$work/urls.txt"
echo "# fixture server at $base; the list:"
grep -v '^#' "$work/urls.txt" | sed '/^$/d; s/^/#   /'
echo "# parfetch -j 8 --timeout 2 --max-size 1M urls.txt"
.build/release/parfetch -j 8 --timeout 2 --max-size 1M "$work/urls.txt"
