#!/usr/bin/env bash
# One huge HTML response: parfetch must end with a record (parsed, or an error), not a crash,
# with bounded memory. Usage: bench/big-page.sh [MEGABYTES] (default 200), after
# `swift build -c release`. Prints the record (links elided) and parfetch's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-200}
work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/pages"
python3 - "$work/pages/big.html" "$size_mb" <<'PY'
import sys
path, megabytes = sys.argv[1], int(sys.argv[2])
target = megabytes * 1_000_000
with open(path, "w") as out:
    out.write("<!doctype html><html lang=en><head><title>A very big page</title></head><body>\n")
    written, i = 0, 0
    while written < target:
        line = f'<p>Paragraph {i} with <a href="/item/{i % 100000}">a link</a> and some text to read.</p>\n'
        out.write(line)
        written += len(line)
        i += 1
    out.write("</body></html>\n")
PY
.build/release/fixture-server --port 0 --pages "$work/pages" >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/server.out" ] && break; sleep 0.1; done
base=$(head -n 1 "$work/server.out")
echo "$base/page/big.html" >"$work/list.txt"
/usr/bin/time -v .build/release/parfetch --max-size 300M --timeout 120 -o "$work/out.jsonl" "$work/list.txt" 2>"$work/time.txt"
python3 - "$work/out.jsonl" <<'PY'
import json, sys
record = json.loads(open(sys.argv[1]).readline())
links = record.pop("links", None)
print(json.dumps(record))
print("links:", None if links is None else len(links))
PY
grep -E "Maximum resident|Elapsed" "$work/time.txt"
