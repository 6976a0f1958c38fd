#!/usr/bin/env bash
# parfetch against peer tools (wget2, curl --parallel, Python aiohttp) on a local nginx.
#
#   bench/run.sh [A] [B] [C] [D]    (default: A B)     `make bench` runs this.
#
# Environment:
#   RUNS=3               repetitions; tools alternate within each repetition
#   NGINX_WORKERS=1      nginx worker processes (2 cores: one for nginx, one for the client)
#   PARFETCH=.build/release/parfetch   binary under test (relative to the repo root); skipped if absent
#   PARFETCH_ARGS=       extra arguments for parfetch (e.g. --no-parse)
#   PARFETCH_BASE=       a second parfetch binary (an earlier build, say), run as the tool
#                        parfetch-base with the same arguments: before/after in one run
#   TOOLS="parfetch wget2 curl aiohttp"   tools to run, in this order (also: parfetch-base, aiohttp+selectolax,
#                        aiohttp+selectolax-raw: title and raw hrefs only, no link resolution)
#   TOOL_TIMEOUT=600     seconds before one tool run is killed
#   RESULT_SUFFIX=       appended to the result file names (e.g. -parse: latest-B-parse.txt)
#   D_CONCURRENCY=1000   scenario D's concurrency (bench/d-sweep.sh varies it)
#   KEEP_TMP=0           1 keeps the nginx prefix (config, logs, pages, outputs) after the run
#
# Everything listens on and talks to 127.0.0.1 only. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"

RUNS=${RUNS:-3}
NGINX_WORKERS=${NGINX_WORKERS:-1}
PARFETCH=${PARFETCH:-.build/release/parfetch}
PARFETCH_ARGS=${PARFETCH_ARGS:-}
PARFETCH_BASE=${PARFETCH_BASE:-}
TOOLS=${TOOLS:-parfetch wget2 curl aiohttp}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-600}
KEEP_TMP=${KEEP_TMP:-0}
RESULTS_DIR=$BENCH_DIR/results

say() { printf '%s\n' "$*"; }
warn() { printf 'bench: warning: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
SCENARIOS=()
for arg in "$@"; do
  case "$arg" in
    A|B|C|D) SCENARIOS+=("$arg") ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown scenario '$arg' (expected A, B, C and/or D)" ;;
  esac
done
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(A B)
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ "$NGINX_WORKERS" =~ ^[1-9][0-9]*$ ]] || die "NGINX_WORKERS must be a positive integer"

# ---------------------------------------------------------------- dependencies
install_missing() {
  local need=()
  command -v nginx >/dev/null 2>&1 || need+=(nginx)
  dpkg -s libnginx-mod-http-echo >/dev/null 2>&1 || need+=(libnginx-mod-http-echo)
  command -v wget2 >/dev/null 2>&1 || need+=(wget2)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  [ -x /usr/bin/time ] || need+=(time)
  if [ ${#need[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    say "installing: ${need[*]}"
    $sudo apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
  fi
  if ! python3 -c 'import aiohttp' >/dev/null 2>&1; then
    say "installing: aiohttp selectolax (pip)"
    python3 -m pip install aiohttp selectolax ||
      python3 -m pip install --break-system-packages aiohttp selectolax
  fi
}
install_missing
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$ECHO_MODULE" ] || die "$ECHO_MODULE not found (package libnginx-mod-http-echo)"

# Tools that will actually run.
RUN_TOOLS=()
for t in $TOOLS; do
  case "$t" in
    parfetch)
      if [ -x "$PARFETCH" ]; then RUN_TOOLS+=(parfetch)
      else warn "parfetch skipped: $PARFETCH not found (build it with: swift build -c release)"; fi ;;
    parfetch-base)
      if [ -n "$PARFETCH_BASE" ] && [ -x "$PARFETCH_BASE" ]; then RUN_TOOLS+=(parfetch-base)
      else warn "parfetch-base skipped: set PARFETCH_BASE to a parfetch binary"; fi ;;
    wget2|curl) if command -v "$t" >/dev/null 2>&1; then RUN_TOOLS+=("$t"); else warn "$t not found, skipped"; fi ;;
    aiohttp) RUN_TOOLS+=(aiohttp) ;;
    aiohttp+selectolax|aiohttp+selectolax-raw)
      if python3 -c 'from selectolax.lexbor import LexborHTMLParser' >/dev/null 2>&1; then RUN_TOOLS+=("$t"); else warn "selectolax missing, $t skipped"; fi ;;
    *) die "unknown tool '$t' in TOOLS" ;;
  esac
done
[ ${#RUN_TOOLS[@]} -gt 0 ] || die "no tool to run"

# ---------------------------------------------------------------- nginx
PREFIX=$(mktemp -d /tmp/parfetch-bench.XXXXXX)
chmod 755 "$PREFIX"   # nginx workers run as "nobody" when the master runs as root
NGINX_PID=""
CUR_PID=""

stop_pid() { # pid: TERM, wait up to 5 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

nginx_children() { cat "/proc/$NGINX_PID/task/$NGINX_PID/children" 2>/dev/null || true; }

stop_nginx() {
  [ -n "$NGINX_PID" ] || return 0
  local workers
  workers=$(nginx_children)
  stop_pid "$NGINX_PID"
  for w in $workers; do kill -0 "$w" 2>/dev/null && kill -KILL "$w" 2>/dev/null; done
  NGINX_PID=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CUR_PID" ]; then stop_pid "$CUR_PID"; fi   # `timeout` passes TERM on to the tool
  stop_nginx
  if [ "$KEEP_TMP" = 1 ]; then say "kept $PREFIX"; else rm -rf "$PREFIX"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
ACCESS_LOG=$PREFIX/access.log
mkdir -p "$PREFIX/tmp" "$PREFIX/www/pages"
cat >"$PREFIX/nginx.conf" <<EOF
# parfetch benchmark server: loopback only, all files under $PREFIX
load_module $ECHO_MODULE;
daemon off;
master_process on;
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile 16384;
pid $PREFIX/nginx.pid;
error_log $PREFIX/error.log warn;
events { worker_connections 4096; }
http {
    types { text/html html; text/css css; }
    default_type text/plain;
    log_format bench '\$status \$request_uri';
    access_log $ACCESS_LOG bench;
    client_body_temp_path $PREFIX/tmp/client_body;
    proxy_temp_path $PREFIX/tmp/proxy;
    fastcgi_temp_path $PREFIX/tmp/fastcgi;
    uwsgi_temp_path $PREFIX/tmp/uwsgi;
    scgi_temp_path $PREFIX/tmp/scgi;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    server_tokens off;
    server {
        listen 127.0.0.1:$PORT backlog=4096;
        server_name localhost;
        root $PREFIX/www;
        location = /health { return 204; }
        # 20 ms non-blocking delay; the URL carries a distinct id (/delay/123)
        location /delay/ { echo_sleep 0.02; echo "ok"; }
        location /pages/ { }
    }
}
EOF
nginx -t -q -p "$PREFIX/" -c "$PREFIX/nginx.conf" -e "$PREFIX/error.log" ||
  die "nginx rejected $PREFIX/nginx.conf: $(cat "$PREFIX/error.log" 2>/dev/null)"
nginx -p "$PREFIX/" -c "$PREFIX/nginx.conf" -e "$PREFIX/error.log" </dev/null &
NGINX_PID=$!
up=0
for i in $(seq 1 50); do   # up to 5 s
  kill -0 "$NGINX_PID" 2>/dev/null || break
  if curl -s -o /dev/null --max-time 0.5 "$BASE/health"; then up=1; break; fi
  sleep 0.1
done
[ "$up" = 1 ] || die "nginx did not come up on $BASE within 5 s: $(tail -n 5 "$PREFIX/error.log" 2>/dev/null)"

CLK_TCK=$(getconf CLK_TCK)
nginx_cpu_ticks() { # user+system ticks of the nginx master and workers
  local total=0 p t
  for p in "$NGINX_PID" $(nginx_children); do
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# ---------------------------------------------------------------- scenarios
scenario_urls()  { case $1 in A) echo 5000 ;; B) echo 20000 ;; C) echo 2000 ;; D) echo 20000 ;; esac; }
scenario_conc()  { case $1 in A) echo 100 ;; B) echo 50 ;; C) echo 50 ;; D) echo "${D_CONCURRENCY:-1000}" ;; esac; }
scenario_ideal() { case $1 in A|D) python3 -c "print($(scenario_urls "$1") / $(scenario_conc "$1") * 0.020)" ;; *) echo "" ;; esac; }
scenario_title() {
  case $1 in
    A) echo "$(scenario_urls A) distinct URLs /delay/I (nginx echo_sleep 20 ms), concurrency $(scenario_conc A), ideal $(scenario_ideal A) s" ;;
    B) echo "$(scenario_urls B) distinct static pages /pages/pI.html (~2.5 KB, 20 links), concurrency $(scenario_conc B)" ;;
    C) echo "$(scenario_urls C) distinct static pages /pages/c/pI.html (~107 KB, 500 links), concurrency $(scenario_conc C)" ;;
    D) echo "$(scenario_urls D) distinct URLs /delay/I (nginx echo_sleep 20 ms), concurrency $(scenario_conc D) (curl --parallel caps at 300), ideal $(scenario_ideal D) s" ;;
  esac
}

prepare_scenario() { # writes $PREFIX/list-S.txt and $PREFIX/curl-S.cfg
  local s=$1 n list
  n=$(scenario_urls "$s")
  list=$PREFIX/list-$s.txt
  case $s in
    A|D) seq 1 "$n" | sed "s|^|$BASE/delay/|" >"$list" ;;
    B) python3 "$BENCH_DIR/gen_pages.py" "$PREFIX/www/pages" "$n" 2500 20
       seq 1 "$n" | sed "s|.*|$BASE/pages/p&.html|" >"$list" ;;
    C) python3 "$BENCH_DIR/gen_pages.py" "$PREFIX/www/pages/c" "$n" 105000 500
       seq 1 "$n" | sed "s|.*|$BASE/pages/c/p&.html|" >"$list" ;;
  esac
  awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$list" >"$PREFIX/curl-$s.cfg"
}

tool_cmd() { # scenario tool -> fills CMD array
  local s=$1 t=$2 c list
  c=$(scenario_conc "$s")
  list=$PREFIX/list-$s.txt
  case $t in
    # shellcheck disable=SC2206  # PARFETCH_ARGS is split on purpose
    # One host here: --per-host lets parfetch use as many connections as the peers do.
    parfetch) CMD=("$PARFETCH" -j "$c" --per-host "$c" -o "$PREFIX/parfetch-$s.jsonl" $PARFETCH_ARGS "$list") ;;
    # shellcheck disable=SC2206
    parfetch-base) CMD=("$PARFETCH_BASE" -j "$c" --per-host "$c" -o "$PREFIX/parfetch-$s.jsonl" $PARFETCH_ARGS "$list") ;;
    wget2)    CMD=(wget2 --no-config -q --no-robots --tries=1 --max-threads="$c" -O /dev/null -i "$list") ;;
    curl)     CMD=(curl -s --parallel --parallel-immediate --parallel-max "$c" -K "$PREFIX/curl-$s.cfg") ;;
    aiohttp)  CMD=(python3 "$BENCH_DIR/aiohttp_fetch.py" "$c" "$list") ;;
    aiohttp+selectolax) CMD=(python3 "$BENCH_DIR/aiohttp_fetch.py" --parse "$c" "$list") ;;
    aiohttp+selectolax-raw) CMD=(python3 "$BENCH_DIR/aiohttp_fetch.py" --parse-raw "$c" "$list") ;;
  esac
}

log_lines() { wc -l <"$ACCESS_LOG" 2>/dev/null || echo 0; }
settle_log() { # nginx logs a request just after answering it: wait until the log stops growing
  local prev cur i
  prev=$(log_lines)
  for i in $(seq 1 30); do
    sleep 0.1
    cur=$(log_lines)
    [ "$cur" = "$prev" ] && return 0
    prev=$cur
  done
}

time_field() { # file label -> number or NA
  awk -F': ' -v k="$2" 'index($0, k) { v = $NF } END { print (v == "" ? "NA" : v) }' "$1" 2>/dev/null || echo NA
}

run_one() { # scenario rep tool
  local s=$1 rep=$2 t=$3 n before rc=0 reqs ok200 distinct wall user sys rss counts self_ok="" t0 t1 cpu0 cpu1 server load1
  n=$(scenario_urls "$s")
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx (pid $NGINX_PID) has died: $(tail -n 3 "$PREFIX/error.log")"
  tool_cmd "$s" "$t"
  rm -f "$PREFIX/time.txt" "$PREFIX/parfetch-$s.jsonl"
  settle_log
  before=$(log_lines)
  cpu0=$(nginx_cpu_ticks)
  load1=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%s%N)
  timeout -k 5 "$TOOL_TIMEOUT" /usr/bin/time -v -o "$PREFIX/time.txt" "${CMD[@]}" \
    >"$PREFIX/stdout.txt" 2>"$PREFIX/stderr.txt" </dev/null &
  CUR_PID=$!
  wait "$CUR_PID" || rc=$?
  t1=$(date +%s%N)
  CUR_PID=""
  settle_log
  cpu1=$(nginx_cpu_ticks)
  server=$(awk -v a="$cpu0" -v b="$cpu1" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / h }')
  wall=$(time_field "$PREFIX/time.txt" "Elapsed (wall clock) time" |
    awk -F: '$0 == "NA" { print; next } { s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f\n", s }')
  user=$(time_field "$PREFIX/time.txt" "User time (seconds)")
  sys=$(time_field "$PREFIX/time.txt" "System time (seconds)")
  rss=$(time_field "$PREFIX/time.txt" "Maximum resident set size (kbytes)")
  # requests logged, 200s, distinct URIs answered 200
  counts=$(tail -n +"$((before + 1))" "$ACCESS_LOG" |
    awk '{ t++ } $1 == 200 { ok++; if (!seen[$2]++) d++ } END { printf "%d %d %d\n", t, ok, d }')
  read -r reqs ok200 distinct <<<"$counts"
  case $t in
    parfetch|parfetch-base) self_ok=$(grep -c '"ok":true' "$PREFIX/parfetch-$s.jsonl" 2>/dev/null || true) ;;
    aiohttp*) self_ok=$(sed -n 's/^ok=\([0-9]*\).*/\1/p' "$PREFIX/stdout.txt") ;;
  esac
  echo "$RUN_ID,$s,$rep,$t,$(scenario_conc "$s"),$n,$rc,$wall,$user,$sys,$rss,$reqs,$ok200,$distinct,$self_ok,$server,$load1,$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" >>"$RAW_CSV"
  local flag=""
  [ "$distinct" -ge "$n" ] || flag="  <-- MISSING $((n - distinct)) of $n"
  [ "$rc" = 0 ] || flag="$flag  <-- exit status $rc"
  [ -z "$self_ok" ] || [ "$self_ok" = "$n" ] || flag="$flag  <-- tool reports ok=$self_ok of $n"
  printf '  %s rep %d  %-18s wall %6s s  cpu %5s+%-5s s  rss %6s KB  nginx cpu %5s s  log: %d req, %d distinct 200%s%s\n' \
    "$s" "$rep" "$t" "$wall" "$user" "$sys" "$rss" "$server" "$reqs" "$distinct" \
    "${self_ok:+  (tool says ok=$self_ok)}" "$flag"
  if [ "$rc" != 0 ]; then sed -n '1,3s/^/      stderr: /p' "$PREFIX/stderr.txt"; fi
}

# ---------------------------------------------------------------- run
mkdir -p "$RESULTS_DIR"
RUN_ID=$(date +%Y%m%d-%H%M%S)
RAW_CSV=$RESULTS_DIR/raw-$RUN_ID.csv
echo "run_id,scenario,rep,tool,concurrency,urls,rc,wall_s,user_s,sys_s,maxrss_kb,log_requests,log_200,log_200_distinct,self_ok,server_cpu_s,load1,wall_hr_s" >"$RAW_CSV"

pf_version=""
if [[ " ${RUN_TOOLS[*]} " == *" parfetch "* ]]; then
  pf_version=$(timeout 5 "$PARFETCH" --version 2>/dev/null | head -n1 || true)
  pf_version="parfetch ${pf_version:-(no --version)} $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit"), binary $(date -r "$PARFETCH" '+%F %T')"
fi
META=$PREFIX/meta.txt
{
  say "parfetch benchmark, $(date '+%F %T %z')"
  say "machine: nproc $(nproc), kernel $(uname -r), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
  say "server: $(nginx -v 2>&1 | sed 's/^nginx version: //') on 127.0.0.1, NGINX_WORKERS=$NGINX_WORKERS (worker_processes), keepalive_requests 100000, access log on"
  say "tools: ${pf_version:-parfetch not run}; $(wget2 --version 2>/dev/null | head -n1 | sed 's/ - .*//'); $(curl --version | head -n1 | cut -d' ' -f1-2); Python $(python3 -c 'import sys, aiohttp; print(sys.version.split()[0], "aiohttp", aiohttp.__version__)')"
  say "RUNS=$RUNS, tools alternate within each repetition in the order: ${RUN_TOOLS[*]}"
  say "raw runs: bench/results/$(basename "$RAW_CSV")"
  say ""
  say "commands (PREFIX=$PREFIX, a fresh temporary directory; each under /usr/bin/time -v, bounded by timeout $TOOL_TIMEOUT):"
  for s in "${SCENARIOS[@]}"; do
    say "  scenario $s: $(scenario_title "$s")"
    for t in "${RUN_TOOLS[@]}"; do
      tool_cmd "$s" "$t"
      say "    $t: $(printf '%q ' "${CMD[@]}")"
    done
  done
  say "  curl config: one 'url = \"...\"' and 'output = \"/dev/null\"' pair per URL"
  say ""
} >"$META"
cat "$META"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  warn "load average is $load: something else is running, results will be noisy"
fi

for s in "${SCENARIOS[@]}"; do
  say "== scenario $s: $(scenario_title "$s")"
  prepare_scenario "$s"
  for rep in $(seq 1 "$RUNS"); do
    for t in "${RUN_TOOLS[@]}"; do
      run_one "$s" "$rep" "$t"
    done
  done
  say ""
  ideal=$(scenario_ideal "$s")
  python3 "$BENCH_DIR/report.py" --csv "$RAW_CSV" --run-id "$RUN_ID" --scenario "$s" \
    --title "$(scenario_title "$s")" --urls "$(scenario_urls "$s")" ${ideal:+--ideal "$ideal"} \
    --meta "$META" --out "$RESULTS_DIR/latest-$s${RESULT_SUFFIX:-}.txt"
  say "(written to bench/results/latest-$s${RESULT_SUFFIX:-}.txt)"
  say ""
done
