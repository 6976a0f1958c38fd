# scripts/slurm-cluster.sh — a throw-away single-node Slurm cluster, for scripts/slurm-test.sh
# and bench/shard.sh. Sourced, not run:
#
#     source scripts/slurm-cluster.sh
#     slurm_cluster_install              # apt-get install slurm-wlm munge if missing (as root)
#     slurm_cluster_start "$dir"         # munged, slurmctld, slurmd with state under $dir
#     trap slurm_cluster_stop EXIT       # (the caller's trap: stops them by PID)
#     sbatch ...                         # SLURM_CONF points the client commands at it
#
# As root (slurmd must be able to run jobs as any user; SlurmUser=root). munged has its own key,
# socket, pid and log file in $dir; slurmctld and slurmd their own slurm.conf, state, spool,
# pid and log files there, on ports picked free on 127.0.0.1, and talk only over loopback
# (NodeAddr=127.0.0.1). Each daemon runs in the foreground under this shell, so its PID is
# known; slurm_cluster_stop ends those PIDs only (TERM, then KILL after a bounded wait).
# The partition oversubscribes cores (OverSubscribe=FORCE:4), so an array of up to 4 tasks
# per core runs at once on a small machine. Requeued jobs wait cred_expire (10 s here).

SLURM_CLUSTER_PIDS=()
SLURM_CLUSTER_DIR=""

slurm_cluster_install() {
    local missing=() package
    for package in slurm-wlm munge; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "slurm-cluster: installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# A TCP port free on 127.0.0.1 now (the kernel's pick).
slurm_cluster_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# slurm_cluster_wait SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it
# succeeds; fails after SECONDS.
slurm_cluster_wait() {
    local seconds="$1" what="$2"
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "slurm-cluster: timed out after ${seconds}s waiting for $what" >&2
            return 1
        fi
        sleep 0.2
    done
}

slurm_cluster_node_idle() {
    [ "$(sinfo --noheader --nodes="$SLURM_CLUSTER_NODE" --format=%T 2>/dev/null)" = idle ]
}

slurm_cluster_no_jobs() {
    [ -z "$(squeue --noheader --states=PD,R,CG,S,CF,RQ,RS,SO --format=%A 2>/dev/null)" ]
}

slurm_cluster_start() {
    local dir="$1"
    if [ "$(id -u)" != 0 ]; then
        echo "slurm-cluster: must run as root (slurmd runs jobs as their users)" >&2
        return 1
    fi
    SLURM_CLUSTER_DIR="$dir"
    mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
    chmod 700 "$dir/munge"

    # munge: its own key, socket, pid, seed and log.
    local key="$dir/munge/munge.key" socket="$dir/munge/munge.socket"
    mungekey --create --keyfile="$key" --force
    chmod 400 "$key"
    # --force: the socket's directory is under /tmp, whose permissions munged would refuse.
    munged --foreground --force --key-file="$key" --socket="$socket" \
        --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
        --log-file="$dir/log/munged.log" >>"$dir/log/munged.out" 2>&1 &
    SLURM_CLUSTER_PIDS+=("$!")
    slurm_cluster_wait 20 "munged's socket" test -S "$socket"
    munge --socket="$socket" --no-input | unmunge --socket="$socket" >/dev/null

    # slurm.conf: the node as slurmd -C sees it (name, CPUs, cores, memory).
    local node_line node ctld_port slurmd_port
    node_line="$(slurmd -C | head -n 1)"
    node="$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$node_line")"
    SLURM_CLUSTER_NODE="$node"
    ctld_port="$(slurm_cluster_free_port)"
    slurmd_port="$(slurm_cluster_free_port)"
    while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port="$(slurm_cluster_free_port)"; done
    cat >"$dir/slurm.conf" <<EOF
ClusterName=parfetchtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket,cred_expire=10
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MinJobAge=3600
KillWait=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
${node_line% UpTime=*} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
    export SLURM_CONF="$dir/slurm.conf"

    # -D: foreground, so $! is the daemon; -i: ignore state a previous run might have left.
    slurmctld -D -i -f "$SLURM_CONF" >>"$dir/log/slurmctld.out" 2>&1 &
    SLURM_CLUSTER_PIDS+=("$!")
    slurm_cluster_wait 60 "slurmctld to answer" scontrol ping
    slurmd -D -f "$SLURM_CONF" >>"$dir/log/slurmd.out" 2>&1 &
    SLURM_CLUSTER_PIDS+=("$!")
    if ! slurm_cluster_wait 60 "node $node to be idle" slurm_cluster_node_idle; then
        sinfo -N -l >&2 || true
        tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
        return 1
    fi
    echo "slurm-cluster: up in $dir (node $node, slurmctld :$ctld_port, slurmd :$slurmd_port)" >&2
}

# Cancels this cluster's jobs that are left (at most 30 s for them to end), then stops the
# daemons this shell started, newest first, by PID: TERM, at most 20 s each, then KILL.
slurm_cluster_stop() {
    local index jobs
    if [ "${#SLURM_CLUSTER_PIDS[@]}" -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
        jobs="$(squeue --noheader --format=%A 2>/dev/null || true)"
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086  # one job ID a word
            scancel $jobs 2>/dev/null || true
            slurm_cluster_wait 30 "the cancelled jobs to end" slurm_cluster_no_jobs || true
        fi
        # Jobs are gone from squeue before their slurmstepd has finished: let the node settle.
        slurm_cluster_wait 30 "node $SLURM_CLUSTER_NODE to be idle" slurm_cluster_node_idle || true
    fi
    for ((index = ${#SLURM_CLUSTER_PIDS[@]} - 1; index >= 0; index--)); do
        slurm_cluster_stop_pid "${SLURM_CLUSTER_PIDS[$index]}" 100
    done
    SLURM_CLUSTER_PIDS=()
}

# Stops a process this script or its caller started: TERM, then up to TRIES × 0.2 s (default
# 50: 10 s) for it to end, then KILL.
slurm_cluster_stop_pid() {
    local pid=$1 tries=${2:-50} waited=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$tries" ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Starts the bundled fixture server (built in .build/release) on 127.0.0.1, on a free port,
# writing its output into DIR; sets FIXTURE_PID and FIXTURE_PORT. The caller stops it.
slurm_fixture_server_start() {
    local dir=$1 base
    .build/release/fixture-server --host 127.0.0.1 --port 0 >"$dir/server.out" 2>"$dir/server.err" &
    FIXTURE_PID=$!
    slurm_cluster_wait 30 "the fixture server's URL" grep -q '^http://' "$dir/server.out"
    base="$(head -n 1 "$dir/server.out")"
    FIXTURE_PORT="${base##*:}"
}
