#!/bin/bash
# bench/shard.sh — the same 10,000-line list fetched by 4 shards as a Slurm job array on this
# machine vs by one parfetch run: wall time and the most requests in flight to one host.
#
#     bench/shard.sh                 # as root; or make bench-shard   (RUNS=3 by default)
#     RUNS=5 OPTIONS="-j 50 --per-host 4" DELAY_MS=20 bench/shard.sh
#
# As root: starts the single-node Slurm cluster of scripts/slurm-cluster.sh (munged, slurmctld,
# slurmd in a temporary directory, stopped by PID at the end) and the fixture server on
# 127.0.0.1 (nothing else is talked to), makes the list of scripts/slurm-test.sh
# (scripts/shard_list.py: 8 host names that all reach the server, 2 to a shard,
# /delay/DELAY_MS), then RUNS times, alternating: deploy/slurm/parfetch-array.sbatch as
# --array=0-3 with OPTIONS (its tasks run --ordered), and one `parfetch OPTIONS --ordered` over
# the whole list. The array's wall is
# from its first task's start to its last task's end (timestamps taken around parfetch by a
# wrapper; "submit→end" adds Slurm's scheduling); per-host in flight is the fixture server's
# max_in_flight_by_host (by Host header) over the run. Results: bench/results/latest-shard.txt.
set -euo pipefail

cd "$(dirname "$0")/.."
repo="$PWD"
# shellcheck source=scripts/slurm-cluster.sh
source scripts/slurm-cluster.sh

RUNS="${RUNS:-3}"
OPTIONS="${OPTIONS:--j 50 --per-host 4}"
DELAY_MS="${DELAY_MS:-20}"
LINES="${LINES:-10000}"
TASKS=4
read -r -a options <<<"$OPTIONS"

tmp="$(mktemp -d /tmp/parfetch-bench-shard.XXXXXX)"
server_pid=""
exec 3>&2
cleanup() {
    slurm_cluster_stop
    if [ -n "$server_pid" ]; then slurm_cluster_stop_pid "$server_pid"; fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "bench/shard: kept $tmp" >&3; fi
}
trap cleanup EXIT

slurm_cluster_install
"${SWIFT:-swift}" build -c release --product parfetch >&2
"${SWIFT:-swift}" build -c release --product fixture-server >&2
real_parfetch="$repo/.build/release/parfetch"
# The tasks' parfetch: the real one between two timestamps (start, end) in $TIMES/TASK.
cat >"$tmp/timed-parfetch" <<EOF
#!/bin/bash
set -euo pipefail
date +%s.%N >"\$TIMES/\$SLURM_ARRAY_TASK_ID.start"
status=0
"$real_parfetch" "\$@" || status=\$?
date +%s.%N >"\$TIMES/\$SLURM_ARRAY_TASK_ID.end"
exit "\$status"
EOF
chmod +x "$tmp/timed-parfetch"

slurm_cluster_start "$tmp/slurm"
slurm_fixture_server_start "$tmp"
server_pid=$FIXTURE_PID
port=$FIXTURE_PORT
base="http://127.0.0.1:$port"
list_summary="$(python3 scripts/shard_list.py make --port "$port" --shards "$TASKS" --lines "$LINES" \
    --delay-ms "$DELAY_MS" "$tmp/list.txt" "$tmp/hosts.json")"

array_done() {
    [ -z "$(squeue --noheader --jobs="$1" --format=%A 2>/dev/null)" ]
}
# per_host STATS_JSON: "max per host / in all" from the fixture server's /stats.
per_host() {
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); h = s["max_in_flight_by_host"]
print(max(h.values(), default=0), len(h), s["max_in_flight"])' "$1"
}
records() {
    cat "$@" | wc -l
}

rows=()
for ((run = 1; run <= RUNS; run++)); do
    # 4 shards as a Slurm array.
    out="$tmp/array-$run"
    mkdir -p "$out/times"
    curl -fsS "$base/stats/reset" >/dev/null
    submitted="$(date +%s.%N)"
    job="$(TIMES="$out/times" PARFETCH="$tmp/timed-parfetch" sbatch --parsable \
        --array=0-$((TASKS - 1)) --output="$out/%x-%A_%a.out" \
        deploy/slurm/parfetch-array.sbatch "$tmp/list.txt" "$out" "${options[@]}")"
    job="${job%%;*}"
    slurm_cluster_wait 600 "array job $job" array_done "$job"
    curl -fsS "$base/stats" >"$out/stats.json"
    for ((task = 0; task < TASKS; task++)); do
        [ -f "$out/times/$task.end" ] || { echo "bench/shard: task $task did not finish" >&2; exit 1; }
    done
    read -r wall since_submit < <(python3 -c 'import sys, glob
starts = [float(open(p).read()) for p in glob.glob(sys.argv[1] + "/*.start")]
ends = [float(open(p).read()) for p in glob.glob(sys.argv[1] + "/*.end")]
print(f"{max(ends) - min(starts):.2f} {max(ends) - float(sys.argv[2]):.2f}")' "$out/times" "$submitted")
    read -r most hosts in_all < <(per_host "$out/stats.json")
    rows+=("$run array $wall $since_submit $most $hosts $in_all $(records "$out"/shard-*.jsonl)")
    echo "bench/shard: run $run: array ${wall}s (submit→end ${since_submit}s), per host $most" >&2

    # One run over the whole list.
    out="$tmp/one-$run"
    mkdir -p "$out"
    curl -fsS "$base/stats/reset" >/dev/null
    start="$(date +%s.%N)"
    "$real_parfetch" "${options[@]}" --ordered -q -o "$out/one.jsonl" "$tmp/list.txt"
    end="$(date +%s.%N)"
    curl -fsS "$base/stats" >"$out/stats.json"
    wall="$(python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$start" "$end")"
    read -r most hosts in_all < <(per_host "$out/stats.json")
    rows+=("$run one $wall $wall $most $hosts $in_all $(records "$out/one.jsonl")")
    echo "bench/shard: run $run: one run ${wall}s, per host $most" >&2
done

mkdir -p bench/results
result=bench/results/latest-shard.txt
{
    echo "# bench/shard.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $(git rev-parse --short HEAD)"
    echo "# command: RUNS=$RUNS OPTIONS=\"$OPTIONS\" DELAY_MS=$DELAY_MS LINES=$LINES bench/shard.sh"
    echo "# list: $list_summary; URLs to /delay/$DELAY_MS, the 8 host names reach one fixture server"
    echo "# on 127.0.0.1, 2 to a shard; comments and blank lines too; release build;"
    echo "# array = $TASKS tasks of deploy/slurm/parfetch-array.sbatch on a one-node Slurm cluster here,"
    echo "# wall from the first task's start to the last one's end; one = a single parfetch run;"
    echo "# both --ordered (the sbatch script adds it, for parfetch merge); the merge is not timed."
    echo "# per-host max: the fixture server's most requests in flight to one Host header (limit from OPTIONS)"
    echo
    printf '%-4s %-6s %9s %13s %13s %6s %14s %8s\n' run mode "wall s" "submit→end s" "per-host max" hosts "in flight max" records
    for row in "${rows[@]}"; do
        # shellcheck disable=SC2086  # the row's fields
        printf '%-4s %-6s %9s %13s %13s %6s %14s %8s\n' $row
    done
    echo
    python3 - "${rows[@]}" <<'PY'
import statistics, sys
rows = [row.split() for row in sys.argv[1:]]
def median(mode, column):
    return statistics.median(float(row[column]) for row in rows if row[1] == mode)
array, one = median("array", 2), median("one", 2)
submit = median("array", 3)
print(f"median wall: array {array:.2f} s (submit→end {submit:.2f} s), one run {one:.2f} s; "
      f"ratio array/one {array / one:.2f} (submit→end {submit / one:.2f})")
print(f"per-host in-flight max: array {max(int(r[4]) for r in rows if r[1] == 'array')}, "
      f"one run {max(int(r[4]) for r in rows if r[1] == 'one')}; "
      f"in flight in all: array {max(int(r[6]) for r in rows if r[1] == 'array')}, "
      f"one run {max(int(r[6]) for r in rows if r[1] == 'one')}")
PY
} >"$result"
cat "$result"
