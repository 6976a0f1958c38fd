#!/bin/bash
# scripts/check-deploy.sh — static checks of deploy/ (run by scripts/slurm-test.sh; no root, no
# cluster, no network): the sbatch scripts parse (bash -n) and refuse bad arguments with a clear
# message and status 2; the Kubernetes YAML parses (python3 yaml) and its Indexed Job runs the
# same command as the Slurm array; the Dockerfile has its two stages. Prints "check-deploy: ok".
set -euo pipefail

cd "$(dirname "$0")/.."
tmp="$(mktemp -d /tmp/parfetch-check-deploy.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "check-deploy: FAIL: $*" >&2
    exit 1
}

array=deploy/slurm/parfetch-array.sbatch
merge=deploy/slurm/merge.sbatch
bash -n "$array" || fail "$array does not parse"
bash -n "$merge" || fail "$merge does not parse"

# expect_refusal PATTERN COMMAND...: COMMAND exits 2 and says PATTERN on stderr.
expect_refusal() {
    local pattern="$1" status=0
    shift
    "$@" >/dev/null 2>"$tmp/err" || status=$?
    [ "$status" = 2 ] || fail "$* exited $status, not 2"
    grep -q -- "$pattern" "$tmp/err" || fail "$*: no '$pattern' in: $(cat "$tmp/err")"
}
touch "$tmp/list.txt"
mkdir "$tmp/out"
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SHARDS
expect_refusal usage bash "$array"
expect_refusal "LIST '$tmp/none' is not a readable file" bash "$array" "$tmp/none" "$tmp/out"
expect_refusal "OUTDIR '$tmp/none' is not a writable directory" bash "$array" "$tmp/list.txt" "$tmp/none"
expect_refusal "not a job array task" bash "$array" "$tmp/list.txt" "$tmp/out"
expect_refusal "must be 0-" env SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=4 \
    bash "$array" "$tmp/list.txt" "$tmp/out"
expect_refusal "'$tmp/none' not found" env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4 \
    PARFETCH="$tmp/none" bash "$array" "$tmp/list.txt" "$tmp/out"
expect_refusal usage bash "$merge"
expect_refusal "OUTDIR '$tmp/none' is not a writable directory" bash "$merge" "$tmp/none"
status=0
bash "$merge" "$tmp/out" 2>"$tmp/err" || status=$?
[ "$status" = 1 ] && grep -q "no shard-\*.jsonl" "$tmp/err" || fail "$merge on an empty OUTDIR: status $status"

# The task's command, with a stand-in parfetch that prints its arguments.
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$tmp/echo-parfetch"
chmod +x "$tmp/echo-parfetch"
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 PARFETCH="$tmp/echo-parfetch" \
    bash "$array" "$tmp/list.txt" "$tmp/out" -j 50 --per-host 4 >"$tmp/args" 2>/dev/null
expected="--shard 2/4 --ordered --resume -o $tmp/out/shard-2.jsonl -j 50 --per-host 4 $tmp/list.txt"
[ "$(tr '\n' ' ' <"$tmp/args")" = "$expected " ] || fail "task command: $(tr '\n' ' ' <"$tmp/args")"

python3 - <<'PY' || fail "deploy/kubernetes"
import sys, yaml
job, = yaml.safe_load_all(open("deploy/kubernetes/indexed-job.yaml"))
spec = job["spec"]
assert job["kind"] == "Job" and spec["completionMode"] == "Indexed", "not an Indexed Job"
pod = spec["template"]["spec"]
container, = pod["containers"]
env = {item["name"]: item["value"] for item in container["env"]}
assert int(env["SHARDS"]) == spec["completions"], "SHARDS differs from completions"
command = " ".join(container["command"] + container["args"])
for part in ['--shard "$JOB_COMPLETION_INDEX/$SHARDS"', "--ordered", "--resume",
             '-o "/data/out/shard-$JOB_COMPLETION_INDEX.jsonl"', "/data/urls.txt"]:
    assert part in command, f"the command lacks {part}"
mounts = {mount["name"] for mount in container["volumeMounts"]}
claims = {volume["name"] for volume in pod["volumes"] if "persistentVolumeClaim" in volume}
assert mounts & claims, "no PersistentVolumeClaim mounted"
merge, = yaml.safe_load_all(open("deploy/kubernetes/merge-job.yaml"))
args = " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"])
assert "parfetch merge -o" in args and "/data/out/shard-*.jsonl" in args, "merge job command"
PY

grep -q '^FROM .* AS build$' deploy/Dockerfile && grep -q '^FROM debian:12' deploy/Dockerfile &&
    grep -q 'make install' deploy/Dockerfile &&
    grep -q 'libcurl4 libxml2 libidn2-0 libpsl5 ca-certificates' deploy/Dockerfile ||
    fail "deploy/Dockerfile: not the two stages (Swift build with make install, Debian 12 runtime)"
echo "check-deploy: ok"
