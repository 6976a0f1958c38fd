#!/usr/bin/env bash
# Fairness behind a slow host (issue 4): 2,000 URLs to slow host A (/delay/200) listed before
# 20 URLs to fast host B, four connections to A at most. When do B's records arrive?
#
#   bench/fairness.sh            # parfetch --per-host 4, then curl --parallel-max 4 as the peer
#   SLOW=500 DELAY_MS=100 bench/fairness.sh   # a smaller run
#
# Two fixture servers on loopback are two hosts (two ports). Every output line is time-stamped
# as it arrives (bench/timestamp_lines.py); the report gives, per tool, the run's wall time and
# when B's last record came, as a share of the run. Results: bench/results/latest-fairness.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

SLOW=${SLOW:-2000}
FAST=${FAST:-20}
DELAY_MS=${DELAY_MS:-200}
PARFETCH=${PARFETCH:-.build/release/parfetch}
if [ ! -x "$PARFETCH" ] || [ ! -x .build/release/fixture-server ]; then
    swift build -c release --product parfetch >/dev/null
    swift build -c release --product fixture-server >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

start_server() { # name: starts a fixture server, sets $base to its URL
    .build/release/fixture-server --port 0 >"$work/$1.out" 2>"$work/$1.err" &
    pids+=($!)
    for _ in $(seq 1 100); do [ -s "$work/$1.out" ] && break; sleep 0.1; done
    base=$(head -n 1 "$work/$1.out")
}
start_server slow
slow=$base
start_server fast
fast=$base
[ -n "$slow" ] && [ -n "$fast" ] || { echo "fixture servers did not start" >&2; exit 1; }

list="$work/list.txt"
{
    for i in $(seq 1 "$SLOW"); do echo "$slow/delay/$DELAY_MS?i=$i"; done
    for i in $(seq 1 "$FAST"); do echo "$fast/page/index.html?i=$i"; done
} >"$list"

report="bench/results/latest-fairness.txt"
mkdir -p bench/results
{
    echo "fairness, $(date '+%F %T %z'), parfetch $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "$SLOW x /delay/$DELAY_MS on host A listed before $FAST x /page/index.html on host B; 4 connections to A at most"
    echo "ideal run time: $SLOW x $DELAY_MS ms / 4 = $(python3 -c "print($SLOW * $DELAY_MS / 4000)") s"
} | tee "$report"

run() { # name, fast-host pattern, command...
    local name=$1 pattern=$2
    shift 2
    "$@" 2>"$work/$name.err" | python3 bench/timestamp_lines.py >"$work/$name.stamped"
    python3 - "$work/$name.stamped" "$pattern" "$name" <<'EOF' | tee -a "$report"
import sys
path, pattern, name = sys.argv[1:]
rows = [line.rstrip("\n").split(" ", 1) for line in open(path)]
times = [float(t) for t, _ in rows]
fast = [float(t) for t, text in rows if pattern in text]
total = max(times)
print(f"{name:9s} lines {len(rows)}, run {total:.1f} s, B's {len(fast)} records done by {max(fast):.2f} s "
      f"= {100 * max(fast) / total:.1f} % of the run")
EOF
}

run parfetch "$fast" "$PARFETCH" -j 50 --per-host 4 --no-parse "$list"
# curl has no per-host limit: --parallel-max 4 is how one stays as polite to A.
sed 's|.*|url = &\noutput = /dev/null|' "$list" >"$work/curl.config"
run curl "$fast" curl --parallel --parallel-max 4 -s -w '%{url_effective}\n' --config "$work/curl.config"
