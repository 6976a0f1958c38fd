#!/usr/bin/env bash
# One huge HTML response: parfetch must end with a record (parsed, or an error), not a crash,
# with bounded memory. Usage: bench/big-page.sh [MEGABYTES] (default 200), after
# `swift build -c release`. Prints the record (links elided) and parfetch's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-200}
source scripts/fixture-server.sh

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
start_fixture_server "$work/pages"
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
