#!/usr/bin/env bash
# Instructions per request of parfetch, and of an earlier build, under valgrind's callgrind:
# counts that repeat far better than seconds on a shared machine.
#
#   bench/callgrind.sh [URLS]        (default 2000)
#
# Environment:
#   PARFETCH=.build/release/parfetch   binary under test
#   PARFETCH_BASE=                     an earlier build to compare with (optional)
#   PARFETCH_ARGS="--no-parse"         flags for both (also run: parsing on, with "")
#
# Each binary runs the same list of URLs against the bundled fixture server (127.0.0.1 only),
# -j 20, once with the list and once with its first line only: the difference, divided by the
# other lines, is the cost of a request without start-up. Valgrind can't read the Swift
# toolchain's DWARF, so the binaries run as copies stripped of debug information (their
# symbols stay, for callgrind_annotate). A network run's total still varies by a few per cent
# between runs of one binary (loop turns follow timing): compare per-function costs
# (callgrind_annotate on the kept .out files) before believing a small difference.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"

URLS=${1:-2000}
PARFETCH=${PARFETCH:-.build/release/parfetch}
PARFETCH_BASE=${PARFETCH_BASE:-}
PARFETCH_ARGS=${PARFETCH_ARGS---no-parse}
OUT=$BENCH_DIR/results/latest-callgrind.txt

[[ "$URLS" =~ ^[1-9][0-9]*$ ]] || { echo "callgrind.sh: URLS must be a positive number" >&2; exit 2; }
command -v valgrind >/dev/null || { apt-get install -y valgrind >/dev/null || sudo apt-get install -y valgrind; }
[ -x "$PARFETCH" ] || swift build -c release --product parfetch
[ -x .build/release/fixture-server ] || swift build -c release --product fixture-server

WORK=$(mktemp -d /tmp/parfetch-callgrind.XXXXXX)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
.build/release/fixture-server --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do grep -q "http://" "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
seq 1 "$URLS" | sed "s|^|http://127.0.0.1:$PORT/page/index.html?i=|" >"$WORK/list.txt"
head -n 1 "$WORK/list.txt" >"$WORK/one.txt"

instructions() { # binary list args... -> total instructions
  local binary=$1 list=$2
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$binary" -q -j 20 --per-host 20 "$@" \
    -o "$WORK/out.jsonl" "$list" 2>"$WORK/cg.err"
  [ "$(wc -l <"$WORK/out.jsonl")" -eq "$(wc -l <"$list")" ] || { echo "callgrind.sh: records missing" >&2; exit 1; }
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$WORK/cg.err"
}

{
  echo "callgrind: $URLS URLs of the fixture server (/page/index.html), -j 20 --per-host 20, $(date '+%F %T %z')"
  echo "command: PARFETCH=$PARFETCH PARFETCH_BASE=$PARFETCH_BASE bench/callgrind.sh $URLS"
  echo
  printf '%-10s %-14s %16s %16s %14s\n' binary flags "list total" "start-up" "per request"
  for name in parfetch base; do
    binary=$PARFETCH
    if [ "$name" = base ]; then
      [ -n "$PARFETCH_BASE" ] || continue
      binary=$PARFETCH_BASE
    fi
    strip --strip-debug -o "$WORK/$name" "$binary"
    for args in "$PARFETCH_ARGS" ""; do
      # shellcheck disable=SC2086  # the flags are split on purpose
      total=$(instructions "$WORK/$name" "$WORK/list.txt" $args)
      # shellcheck disable=SC2086
      startup=$(instructions "$WORK/$name" "$WORK/one.txt" $args)
      printf '%-10s %-14s %16s %16s %14s\n' "$name" "${args:-(parsing)}" "$total" "$startup" \
        "$(( (total - startup) / (URLS - 1 > 0 ? URLS - 1 : 1) ))"
    done
  done
} | tee "$OUT"
echo "(written to bench/results/latest-callgrind.txt)"
