#!/usr/bin/env bash
# Hostile pages: parfetch's peak RSS and wall time for a page of a million links (served with
# a Content-Length, and chunked as the fixture server makes it), with the default --max-links
# (10,000), with no limit (--max-links 0) and without parsing, and for a body that never ends
# at --max-size 16M. Usage: bench/hostile.sh, after `swift build -c release`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fixture-server.sh

mkdir "$work/pages"
start_fixture_server "$work/pages"
curl -sS -o "$work/pages/links1m.html" "$base/links?count=1000000"

run() {  # LABEL URL ARGS...: one run, its peak RSS and wall time
    local label=$1 url=$2
    shift 2
    echo "$url" >"$work/list.txt"
    /usr/bin/time -f "%M %e" -o "$work/time.txt" .build/release/parfetch --progress never "$@" \
        -o "$work/out.jsonl" "$work/list.txt" 2>/dev/null
    read -r kib seconds <"$work/time.txt"
    local summary
    summary=$(python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(r.get("error", {}).get("kind", "ok"), len(r.get("links", [])), r.get("links_truncated", False))
' "$work/out.jsonl")
    printf '%-34s %7.1f MB %6.2f s   %s\n' "$label" "$(echo "$kib / 1024" | bc -l)" "$seconds" "$summary"
}

echo "case                               peak RSS   wall    outcome, links kept, truncated"
for _ in 1 2 3; do
    run "1M links, Content-Length" "$base/page/links1m.html"
done
run "1M links, Content-Length, no limit" "$base/page/links1m.html" --max-links 0
run "1M links, Content-Length, no parse" "$base/page/links1m.html" --no-parse
run "1M links, chunked" "$base/links?count=1000000"
run "endless, --max-size 16M" "$base/endless" --max-size 16M
