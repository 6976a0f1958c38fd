#!/usr/bin/env bash
# Runs parfetch on the demo list against the bundled fixture server (loopback only).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=.build/release
work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/fixture-server" --port 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do
    [ -s "$work/server.out" ] && break
    sleep 0.1
done
base=$(head -n 1 "$work/server.out")
[ -n "$base" ] || { echo "fixture server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }

sed "s#{{BASE}}#$base#g" fixtures/lists/demo.txt >"$work/urls.txt"
echo "# fixture server at $base; the list:"
grep -v '^#' "$work/urls.txt" | sed '/^$/d; s/^/#   /'
echo "# parfetch -j 8 --timeout 2 --max-size 1M urls.txt"
"$bin/parfetch" -j 8 --timeout 2 --max-size 1M "$work/urls.txt"
