#!/bin/bash
# scripts/slurm-test.sh — parfetch as a real Slurm job array (make test-slurm; not in make test).
#
#     make test-slurm          # as root; or scripts/slurm-test.sh   (KEEP=1 keeps the temp dir)
#
# First scripts/check-deploy.sh (bash -n and argument checks of the sbatch scripts, the
# Kubernetes YAML parsed and checked). Then, as root: installs slurm-wlm and munge if missing
# (apt-get), starts a single-node Slurm cluster in a temporary directory
# (scripts/slurm-cluster.sh: munged, slurmctld, slurmd, each stopped by PID at the end), builds
# parfetch and the fixture server (release), and starts the server on 127.0.0.1 — nothing else
# is talked to. Over a 10,000-line list against it (8 host names that all reach it, 2 to a
# shard, plus comments, blank and invalid lines) it submits deploy/slurm/parfetch-array.sbatch
# as 4 tasks (-j 50 --per-host 4), stops task 2 mid-run (scontrol requeuehold), requeues it
# (scontrol release), runs deploy/slurm/merge.sbatch with --dependency=afterok, and checks
# (scripts/shard_list.py): merged.jsonl (written by `parfetch merge`) has one final record per
# line, each host's lines are in its shard's file alone, each file in line order, task 2
# resumed its own file (no line that was done fetched again), and the server never had more
# than --per-host requests in flight to one host (by Host header). Ends with one line:
# "slurm-test: PASS ..." or "slurm-test: FAIL ..." (non-zero exit).
set -euo pipefail

cd "$(dirname "$0")/.."
repo="$PWD"
# shellcheck source=scripts/slurm-cluster.sh
source scripts/slurm-cluster.sh

TASKS=4
PER_HOST=4
JOBS=50
LINES=10000
CANCEL=2

tmp="$(mktemp -d /tmp/parfetch-slurm-test.XXXXXX)"
server_pid=""
verdict="slurm-test: FAIL (stopped early)"
# The verdict and messages at exit go to the script's own stdout and stderr (fds 4 and 3), even
# when it exits from inside a redirected poll.
exec 3>&2 4>&1
cleanup() {
    local status=$?
    slurm_cluster_stop
    if [ -n "$server_pid" ]; then slurm_cluster_stop_pid "$server_pid"; fi
    if [ "$status" = 0 ] && [ -z "${KEEP:-}" ]; then
        rm -rf "$tmp"
    else
        echo "slurm-test: logs and outputs kept in $tmp" >&3
    fi
    echo "$verdict" >&4
}
trap cleanup EXIT
fail() {
    verdict="slurm-test: FAIL: $*"
    exit 1
}

# job_state JOBID: the job's state (PENDING, RUNNING, CANCELLED, COMPLETED...), or "".
job_state() {
    scontrol show job --oneliner "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'
}
job_field() {
    scontrol show job --oneliner "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls every 0.2 s; fails the test after SECONDS.
wait_for() {
    slurm_cluster_wait "$@" || fail "timed out waiting for $2"
}
lines_in() {
    if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}
has_lines() {
    [ "$(lines_in "$1")" -ge "$2" ]
}
is_state() {
    local state
    state="$(job_state "$1")"
    shift
    for wanted in "$@"; do [ "$state" = "$wanted" ] && return 0; done
    return 1
}

scripts/check-deploy.sh >&2 || fail "scripts/check-deploy.sh (deploy/ static checks)"
slurm_cluster_install
echo "slurm-test: building parfetch and fixture-server (release)" >&2
"${SWIFT:-swift}" build -c release --product parfetch >&2
"${SWIFT:-swift}" build -c release --product fixture-server >&2
parfetch="$repo/.build/release/parfetch"

"$parfetch" merge --help >/dev/null 2>&1 || fail "this parfetch has no merge subcommand"
export PARFETCH="$parfetch"

slurm_cluster_start "$tmp/slurm"

slurm_fixture_server_start "$tmp"
server_pid=$FIXTURE_PID
port=$FIXTURE_PORT
base="http://127.0.0.1:$port"

python3 scripts/shard_list.py make --port "$port" --shards "$TASKS" --lines "$LINES" \
    "$tmp/list.txt" "$tmp/hosts.json" >&2
out="$tmp/out"
mkdir -p "$out/logs"
curl -fsS "$base/stats/reset" >/dev/null

job="$(sbatch --parsable --array=0-$((TASKS - 1)) --output="$out/logs/%x-%A_%a.out" \
    deploy/slurm/parfetch-array.sbatch "$tmp/list.txt" "$out" -j "$JOBS" --per-host "$PER_HOST")"
job="${job%%;*}"
echo "slurm-test: array job $job submitted" >&2

# Cut task $CANCEL mid-run: once its file has some records, `scontrol requeuehold` stops it
# (SIGTERM: parfetch ends its transfers in flight with `interrupted` records) and puts it back
# in the queue held; its file is copied as it was cut, and `scontrol release` lets it run again.
# (After `scancel` of a task, Slurm 22.05 never satisfies afterok on the whole array, even once
# the task is requeued and succeeds: hence requeue, not cancel.)
wait_for 90 "task $CANCEL to write records" has_lines "$out/shard-$CANCEL.jsonl" 200
scontrol requeuehold "${job}_$CANCEL"
log="$out/logs/parfetch-${job}_$CANCEL.out"
wait_for 60 "task $CANCEL's parfetch to stop" grep -q '^parfetch: interrupted' "$log"
wait_for 60 "task $CANCEL to be pending again" is_state "${job}_$CANCEL" PENDING
cp "$out/shard-$CANCEL.jsonl" "$tmp/shard-$CANCEL.at-cancel.jsonl"
echo "slurm-test: task $CANCEL stopped with $(lines_in "$tmp/shard-$CANCEL.at-cancel.jsonl") records; releasing it" >&2
scontrol release "${job}_$CANCEL"

merge_job="$(sbatch --parsable --dependency="afterok:$job" --output="$out/logs/%x-%j.out" \
    deploy/slurm/merge.sbatch "$out")"
echo "slurm-test: merge job $merge_job submitted (afterok:$job)" >&2

merge_done() {
    [ "$(job_field "$merge_job" Reason)" = DependencyNeverSatisfied ] ||
        is_state "$merge_job" COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL OUT_OF_MEMORY
}
wait_for 300 "the merge job to end" merge_done
[ "$(job_field "$merge_job" Reason)" != DependencyNeverSatisfied ] ||
    fail "merge job: dependency afterok:$job never satisfied (log: $out/logs)"

for ((task = 0; task < TASKS; task++)); do
    state="$(job_state "${job}_$task")"
    [ "$state" = COMPLETED ] || fail "task $task ended $state (log: $out/logs)"
done
restarts="$(job_field "${job}_$CANCEL" Restarts)"
[ "${restarts:-0}" -ge 1 ] || fail "task $CANCEL was not restarted (Restarts=${restarts:-?})"
state="$(job_state "$merge_job")"
[ "$state" = COMPLETED ] || fail "merge job ended $state (log: $out/logs)"
[ -s "$out/merged.jsonl" ] || fail "no $out/merged.jsonl"

curl -fsS "$base/stats" >"$tmp/stats.json"
if figures="$(python3 scripts/shard_list.py check --list "$tmp/list.txt" --hosts "$tmp/hosts.json" \
    --outdir "$out" --stats "$tmp/stats.json" --per-host "$PER_HOST" \
    --cancelled "$CANCEL" --snapshot "$tmp/shard-$CANCEL.at-cancel.jsonl")"; then
    verdict="slurm-test: PASS ($TASKS tasks, task $CANCEL cut and requeued ($restarts restart), parfetch merge): ${figures#ok: }"
else
    fail "${figures#FAIL: }"
fi
