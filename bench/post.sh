#!/usr/bin/env bash
# POST throughput: REQUESTS JSON bodies, each different, sent by parfetch (a JSON Lines list,
# one {"url", "json"} object a line) and by curl --parallel (a -K config of the same requests,
# `json = …` each), against the fixture server's /status/200 (it reads each body and answers
# 12 bytes), at the same concurrency, alternating, RUNS times.
#
#   bench/post.sh                       # 20,000 requests, -j 50, RUNS=3
#   REQUESTS=5000 CONCURRENCY=100 bench/post.sh
#
# Environment:
#   REQUESTS=20000   requests per run
#   CONCURRENCY=50   parfetch -j and --per-host (one host); curl --parallel-max
#   RUNS=3           repetitions; the tools alternate within each
#   PARFETCH=.build/release/parfetch
#   KEEP_TMP=0       1 keeps the temporary directory (lists, outputs, time -v reports)
#
# The fixture server (release build) listens on 127.0.0.1 only. Each run's requests are
# counted by the server (/stats `requests`, reset before the run) and by the tool's output.
# Results: bench/results/latest-post.txt (medians; ratios are parfetch / curl).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"

REQUESTS=${REQUESTS:-20000}
CONCURRENCY=${CONCURRENCY:-50}
RUNS=${RUNS:-3}
PARFETCH=${PARFETCH:-.build/release/parfetch}
KEEP_TMP=${KEEP_TMP:-0}
RESULTS_DIR=$BENCH_DIR/results

say() { printf '%s\n' "$*"; }
die() { printf 'bench/post: error: %s\n' "$*" >&2; exit 1; }

[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package time)"
command -v curl >/dev/null || die "curl is needed"
"${SWIFT:-swift}" build -c release --product fixture-server >&2
[ -x "$PARFETCH" ] || "${SWIFT:-swift}" build -c release --product parfetch >&2

TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "$KEEP_TMP" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT

.build/release/fixture-server --host 127.0.0.1 --port 0 >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do grep -q '^http://' "$TMP/server.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(head -n 1 "$TMP/server.out")
[[ "$BASE" == http://127.0.0.1:* ]] || die "the fixture server did not start: $(cat "$TMP/server.err")"

# The same requests for both: URL i, body {"id":i,"name":"item-i","tags":[…],"price":…}.
python3 - "$BASE" "$REQUESTS" "$TMP/list.jsonl" "$TMP/curl.conf" <<'PY'
import json, sys
base, count, jsonl, conf = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(jsonl, "w") as lines, open(conf, "w") as config:
    for i in range(count):
        url = f"{base}/status/200?i={i}"
        body = json.dumps({"id": i, "name": f"item-{i}", "tags": ["a", "b", str(i % 7)], "price": i / 100},
                          separators=(",", ":"))
        lines.write(json.dumps({"url": url, "json": json.loads(body)}, separators=(",", ":")) + "\n")
        # Options apply to their own group of a -K file: each request says all of them, and
        # `next` only goes between groups (a trailing one is an empty group, an error).
        if i > 0:
            config.write("next\n")
        config.write(f"url = \"{url}\"\njson = {json.dumps(body)}\noutput = \"/dev/null\"\n"
                     "silent\nwrite-out = \"%{http_code}\\n\"\n")
PY

time_field() { grep -F "$2" "$1" | head -n 1 | sed 's/.*: //'; }

run_tool() { # TOOL REP: one run; appends a CSV row
  local tool=$1 rep=$2 out="$TMP/$1-$2" rc=0
  mkdir -p "$out"
  local cmd
  case "$tool" in
    parfetch) cmd=("$PARFETCH" -q --no-parse -j "$CONCURRENCY" --per-host "$CONCURRENCY" --retries 0
                   -o "$out/records.jsonl" "$TMP/list.jsonl") ;;
    curl) cmd=(curl -s --parallel --parallel-max "$CONCURRENCY" -K "$TMP/curl.conf") ;;
  esac
  printf '%s\n' "${cmd[*]}" >"$out/command"
  curl -fsS "$BASE/stats/reset" >/dev/null
  /usr/bin/time -v -o "$out/time.txt" "${cmd[@]}" >"$out/stdout" 2>"$out/stderr" || rc=$?
  curl -fsS "$BASE/stats" >"$out/stats.json"
  local requests ok
  requests=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["requests"])' "$out/stats.json")
  case "$tool" in
    parfetch) ok=$(grep -c '"status":200' "$out/records.jsonl" || true) ;;
    curl) ok=$(grep -c '^200$' "$out/stdout" || true) ;;
  esac
  local wall user sys rss
  wall=$(time_field "$out/time.txt" "Elapsed (wall clock) time" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(time_field "$out/time.txt" "User time (seconds)")
  sys=$(time_field "$out/time.txt" "System time (seconds)")
  rss=$(time_field "$out/time.txt" "Maximum resident set size (kbytes)")
  echo "$rep,$tool,$rc,$wall,$user,$sys,$rss,$requests,$ok" >>"$TMP/raw.csv"
  say "bench/post: run $rep, $tool: rc $rc, ${wall} s, server saw $requests requests, $ok answered 200"
}

say "bench/post: $BASE, $REQUESTS requests, concurrency $CONCURRENCY, runs $RUNS"
echo "rep,tool,rc,wall_s,user_s,sys_s,maxrss_kb,server_requests,ok" >"$TMP/raw.csv"
for ((rep = 1; rep <= RUNS; rep++)); do
  for tool in parfetch curl; do run_tool "$tool" "$rep"; done
done

mkdir -p "$RESULTS_DIR"
stamp=$(date -u +%Y%m%d-%H%M%S)
cp "$TMP/raw.csv" "$RESULTS_DIR/raw-post-$stamp.csv"
result=$RESULTS_DIR/latest-post.txt
{
  echo "# bench/post.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $(uname -r), $(git rev-parse --short HEAD)"
  echo "# command: REQUESTS=$REQUESTS CONCURRENCY=$CONCURRENCY RUNS=$RUNS bench/post.sh"
  echo "# $(curl --version | head -n 1)"
  for tool in parfetch curl; do echo "# $tool: $(cat "$TMP/$tool-1/command")"; done
  python3 - "$TMP/raw.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by_tool = {}
for r in rows:
    by_tool.setdefault(r["tool"], []).append(r)
med = {t: (statistics.median(float(r["wall_s"]) for r in rs),
           statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in rs),
           statistics.median(int(r["maxrss_kb"]) for r in rs) / 1024) for t, rs in by_tool.items()}
print(f"{'tool':<9} {'wall s':>7} {'CPU s':>7} {'RSS MB':>7} {'req/s':>7} {'server req':>10} {'200s':>6}  failures")
for tool, rs in by_tool.items():
    wall, cpu, rss = med[tool]
    served = min(int(r["server_requests"]) for r in rs)
    ok = min(int(r["ok"]) for r in rs)
    failures = ", ".join(f"run {r['rep']} rc {r['rc']}" for r in rs if r["rc"] != "0")
    print(f"{tool:<9} {wall:>7.2f} {cpu:>7.2f} {rss:>7.1f} {ok / wall:>7.0f} {served:>10} {ok:>6}  {failures}")
if "parfetch" in med and "curl" in med:
    p, c = med["parfetch"], med["curl"]
    print(f"parfetch/curl: wall {p[0] / c[0]:.2f}x, CPU {p[1] / c[1]:.2f}x, peak RSS {p[2]:.1f} vs {c[2]:.1f} MB")
PY
} >"$result"
cat "$result"
say "bench/post: wrote $result and $RESULTS_DIR/raw-post-$stamp.csv"
