#!/usr/bin/env bash
# Crawl benchmark: the fixture server's generated site (/gen/P/0.html, GeneratedSite) crawled
# whole, at the same depth and concurrency, by wget2 -r, a Scrapy CrawlSpider and (once
# `parfetch --crawl` exists) parfetch.
#
#   bench/crawl.sh                      # 20,000 and 200,000 pages, RUNS=1
#   SIZES=20000 RUNS=3 bench/crawl.sh
#
# Environment:
#   SIZES="20000 200000"   site sizes P; each is crawled to the smallest depth holding all of
#                          it: min(P, (10^(d+1) − 1) / 9) pages within depth d (d = 5 for
#                          20,000, 6 for 200,000)
#   RUNS=1                 repetitions; the tools alternate within each
#   CONCURRENCY=50         transfers in flight (wget2 --max-threads, Scrapy CONCURRENT_REQUESTS
#                          and _PER_DOMAIN, parfetch -j and --per-host: one host)
#   TOOLS="parfetch wget2 scrapy"   tools and order; parfetch runs only if its --help lists --crawl
#   PARFETCH=.build/release/parfetch
#   TOOL_TIMEOUT=1200      seconds before one tool run is killed (reported with status 124)
#   KEEP_TMP=0             1 keeps the temporary directory (outputs, time -v reports, stats)
#   RESULT_SUFFIX=         appended to the results file name (latest-crawl-scrapy.txt)
#
# The fixture server (release build) listens on 127.0.0.1 only; nothing else is talked to.
# Pages fetched are counted twice: by the server (/stats `requests`, reset before each run)
# and by the tool (wget2's --stats-site rows, Scrapy's items, parfetch's records). Results:
# bench/results/latest-crawl.txt; see bench/README.md, "Crawl".
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"

SIZES=${SIZES:-20000 200000}
RUNS=${RUNS:-1}
CONCURRENCY=${CONCURRENCY:-50}
TOOLS=${TOOLS:-parfetch wget2 scrapy}
PARFETCH=${PARFETCH:-.build/release/parfetch}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-1200}
KEEP_TMP=${KEEP_TMP:-0}
VENV=$BENCH_DIR/.venv
RESULTS_DIR=$BENCH_DIR/results

say() { printf '%s\n' "$*"; }
warn() { printf 'bench/crawl: warning: %s\n' "$*" >&2; }
die() { printf 'bench/crawl: error: %s\n' "$*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ "$CONCURRENCY" =~ ^[1-9][0-9]*$ ]] || die "CONCURRENCY must be a positive integer"
for size in $SIZES; do
  [[ "$size" =~ ^[1-9][0-9]*$ ]] || die "SIZES must be positive integers, got '$size'"
done

# ---------------------------------------------------------------- dependencies
if ! command -v wget2 >/dev/null 2>&1 || [ ! -x /usr/bin/time ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  say "installing: wget2 time"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y wget2 time
fi
if ! "$VENV/bin/python" -c 'import scrapy' >/dev/null 2>&1; then
  say "installing: scrapy (pip, into $VENV)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q scrapy
fi
"${SWIFT:-swift}" build -c release --product fixture-server >&2

RUN_TOOLS=()
for t in $TOOLS; do
  case "$t" in
    parfetch)
      if [ ! -x "$PARFETCH" ]; then warn "parfetch skipped: $PARFETCH not found (swift build -c release)"
      # Read whole, not piped into grep -q: under pipefail, parfetch's SIGPIPE would count as no match.
      elif help=$("$PARFETCH" --help 2>/dev/null || true); [[ $help != *--crawl* ]]; then warn "parfetch skipped: its --help has no --crawl yet"
      else RUN_TOOLS+=(parfetch); fi ;;
    wget2|scrapy) RUN_TOOLS+=("$t") ;;
    *) die "unknown tool '$t' in TOOLS" ;;
  esac
done
[ ${#RUN_TOOLS[@]} -gt 0 ] || die "no tool to run"

# ---------------------------------------------------------------- fixture server
TMP=$(mktemp -d /tmp/parfetch-bench-crawl.XXXXXX)
SERVER_PID=""
CUR_PID=""

stop_pid() { # pid: TERM, wait up to 5 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CUR_PID" ]; then stop_pid "$CUR_PID"; fi   # `timeout` passes TERM on to the tool
  if [ -n "$SERVER_PID" ]; then stop_pid "$SERVER_PID"; fi
  if [ "$KEEP_TMP" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

.build/release/fixture-server --host 127.0.0.1 --port 0 >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 300); do grep -q '^http://' "$TMP/server.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(head -n 1 "$TMP/server.out")
[[ "$BASE" == http://127.0.0.1:* ]] || die "the fixture server did not start: $(cat "$TMP/server.err")"

# depth_for P: the smallest depth d with (10^(d+1) - 1) / 9 >= P (the whole site).
depth_for() {
  local pages=$1 depth=0 within=1 level=1
  while [ "$within" -lt "$pages" ]; do
    level=$((level * 10)); within=$((within + level)); depth=$((depth + 1))
  done
  echo "$depth"
}

server_cpu() { # user + system ticks of the fixture server so far, in seconds
  awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$SERVER_PID/stat"
}

time_field() { grep -F "$2" "$1" | head -n 1 | sed 's/.*: //'; }

# run_tool TOOL PAGES DEPTH REP: one crawl; appends a CSV row.
run_tool() {
  local tool=$1 pages=$2 depth=$3 rep=$4 out="$TMP/$1-$2-$4" seed="$BASE/gen/$2/0.html" rc=0
  mkdir -p "$out"
  local cmd
  case "$tool" in
    wget2) cmd=(wget2 --no-config -q --no-robots --tries=1 --max-threads="$CONCURRENCY" -r -l "$depth"
                --no-parent -nd --delete-after -P "$out/files" --stats-site="csv:$out/site.csv" "$seed") ;;
    scrapy) cmd=("$VENV/bin/python" "$BENCH_DIR/scrapy_crawl.py" "$seed" "$depth" "$CONCURRENCY" "$out/items.jsonl") ;;
    parfetch) cmd=("$PARFETCH" --crawl --depth "$depth" -j "$CONCURRENCY" --per-host "$CONCURRENCY" -q
                   -o "$out/records.jsonl" "$seed") ;;
  esac
  printf '%s\n' "${cmd[*]}" >"$out/command"
  curl -fsS "$BASE/stats/reset" >/dev/null
  local cpu_before; cpu_before=$(server_cpu)
  timeout -k 5 "$TOOL_TIMEOUT" /usr/bin/time -v -o "$out/time.txt" "${cmd[@]}" >"$out/stdout" 2>"$out/stderr" &
  CUR_PID=$!
  wait "$CUR_PID" || rc=$?
  CUR_PID=""
  local cpu_after; cpu_after=$(server_cpu)
  curl -fsS "$BASE/stats" >"$out/stats.json"
  local requests self
  requests=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["requests"])' "$out/stats.json")
  case "$tool" in
    wget2) self=$(($(wc -l <"$out/site.csv") - 1)) ;;
    scrapy) self=$(wc -l <"$out/items.jsonl") ;;
    parfetch) self=$(wc -l <"$out/records.jsonl") ;;
  esac
  local wall user sys rss server
  wall=$(time_field "$out/time.txt" "Elapsed (wall clock) time" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(time_field "$out/time.txt" "User time (seconds)")
  sys=$(time_field "$out/time.txt" "System time (seconds)")
  rss=$(time_field "$out/time.txt" "Maximum resident set size (kbytes)")
  server=$(python3 -c "print(f'{$cpu_after - $cpu_before:.2f}')")
  echo "$pages,$depth,$rep,$tool,$rc,$wall,$user,$sys,$rss,$requests,$self,$server" >>"$TMP/raw.csv"
  say "bench/crawl: $pages pages, run $rep, $tool: rc $rc, ${wall} s, server saw $requests requests, tool counted $self"
}

say "bench/crawl: $BASE, sizes $SIZES, concurrency $CONCURRENCY, runs $RUNS, tools ${RUN_TOOLS[*]}"
echo "pages,depth,rep,tool,rc,wall_s,user_s,sys_s,maxrss_kb,server_requests,tool_pages,server_cpu_s" >"$TMP/raw.csv"
for pages in $SIZES; do
  depth=$(depth_for "$pages")
  for ((rep = 1; rep <= RUNS; rep++)); do
    for tool in "${RUN_TOOLS[@]}"; do
      run_tool "$tool" "$pages" "$depth" "$rep"
    done
  done
done

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
stamp=$(date -u +%Y%m%d-%H%M%S)
cp "$TMP/raw.csv" "$RESULTS_DIR/raw-crawl-$stamp.csv"
result=$RESULTS_DIR/latest-crawl${RESULT_SUFFIX:-}.txt
{
  echo "# bench/crawl.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $(uname -r), $(git rev-parse --short HEAD)"
  echo "# command: SIZES=\"$SIZES\" RUNS=$RUNS CONCURRENCY=$CONCURRENCY TOOLS=\"${RUN_TOOLS[*]}\" bench/crawl.sh"
  echo "# $(wget2 --version | head -n 1); $("$VENV/bin/python" -c 'import scrapy, sys; print("Scrapy", scrapy.__version__, "Python", sys.version.split()[0])')"
  for tool in "${RUN_TOOLS[@]}"; do
    echo "# $tool: $(cat "$TMP/$tool-$(echo "$SIZES" | awk '{ print $1 }')-1/command")"
  done
  python3 - "$TMP/raw.csv" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
median = lambda values: statistics.median(values)
print(f"{'pages':>7} {'depth':>5} {'tool':<9} {'wall s':>7} {'CPU s':>7} {'RSS MB':>7} {'server req':>10} "
      f"{'tool pages':>10} {'pages/s':>8} {'srv CPU s':>9} {'pf/tool wall':>12} {'pf/tool CPU':>11}  failures")
for pages in dict.fromkeys(r["pages"] for r in rows):
    by_tool = {}
    for r in rows:
        if r["pages"] == pages:
            by_tool.setdefault(r["tool"], []).append(r)
    med = {t: (median([float(r["wall_s"]) for r in rs]),
               median([float(r["user_s"]) + float(r["sys_s"]) for r in rs])) for t, rs in by_tool.items()}
    for tool, rs in by_tool.items():
        wall, cpu = med[tool]
        rss = median([int(r["maxrss_kb"]) for r in rs]) / 1024
        served = min(int(r["server_requests"]) for r in rs)
        counted = min(int(r["tool_pages"]) for r in rs)
        server_cpu = median([float(r["server_cpu_s"]) for r in rs])
        ratio_wall = ratio_cpu = ""
        if "parfetch" in med and tool != "parfetch":
            ratio_wall = f"{med['parfetch'][0] / wall:.2f}"
            ratio_cpu = f"{med['parfetch'][1] / cpu:.2f}"
        failures = ", ".join(f"run {r['rep']} rc {r['rc']}" for r in rs if r["rc"] != "0")
        short = "" if served >= int(pages) else " !"
        print(f"{pages:>7} {rs[0]['depth']:>5} {tool:<9} {wall:>7.2f} {cpu:>7.2f} {rss:>7.1f} {served:>10}{short} "
              f"{counted:>10} {served / wall:>8.0f} {server_cpu:>9.2f} {ratio_wall:>12} {ratio_cpu:>11}  {failures}")
EOF
} >"$result"
cat "$result"
say "bench/crawl: wrote $result and $RESULTS_DIR/raw-crawl-$stamp.csv"
