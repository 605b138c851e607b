#!/usr/bin/env bash
# scripts/slurm-test.sh: the guide's Slurm job array, run on a real
# single-node Slurm cluster started here (issue 27).
#
# On Debian as root (the CI machine): installs munge, slurmctld, slurmd and
# slurm-client from Debian's packages when missing, writes a one-node
# slurm.conf under a temporary folder, starts munged and both daemons by hand
# (no systemd), waits until the node has registered, then
#   1. submits the job array and the dependent merge of docs/guide.md
#      ("Replications, sweeps and clusters"), read from the guide itself so
#      the two cannot drift, with `--scale` added to the sweep;
#   2. checks the merged sweep.csv and sweep.json are the bytes of the same
#      sweep run in one process;
#   3. submits the array again, cancels one task, and checks that `merge`
#      refuses the incomplete set, naming the missing shard.
# Stops the daemons it started, by PID, whatever happens (trap on EXIT).
# Exit 0 only if all of that held.
#
# Uses target/release/surgesim (SURGESIM_BIN overrides), put on the jobs'
# PATH. SCALE (default 0.01) is the sweep's --scale. One such cluster per
# machine (ports 6817/6818, munged's socket): never run two at once.
#
# What the cluster needs here (learned on Debian 12, Slurm 22.05): the cgroup
# plugins stay off (with them a job fails yet is reported COMPLETED and the
# node drains); no accounting, so squeue is polled (sacct does not work);
# munged runs as the munge user with a key of mode 0400 it owns.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${SURGESIM_BIN:-$repo/target/release/surgesim}
scale=${SCALE:-0.01}
guide=$repo/docs/guide.md
started=$(date +%s)

say() { echo "slurm-test: $*"; }
die() {
    echo "slurm-test: FAILED: $*" >&2
    exit 1
}

# ---- the machine --------------------------------------------------------
[ -r /etc/debian_version ] || die "this machine is not Debian (no /etc/debian_version): the test installs Debian's slurm packages with apt-get"
[ "$(id -u)" = 0 ] || die "run as root: the test installs packages and starts munged, slurmctld and slurmd"
[ -x "$bin" ] || die "no surgesim binary at $bin (cargo build --release first, or set SURGESIM_BIN)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# One cluster per machine: a lock for two runs of this script, and a refusal
# when any other Slurm daemon is already up (its ports and config would clash).
exec 9>/run/surgesim-slurm-test.lock
flock -n 9 || die "another scripts/slurm-test.sh is running on this machine (one cluster per machine)"
for d in slurmctld slurmd; do
    if pid=$(pgrep -x "$d"); then
        die "a $d is already running here (PID $pid): one Slurm cluster per machine; stop it first"
    fi
done

# ---- install ----------------------------------------------------------------
need=()
for p in munge slurmctld slurmd slurm-client; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
    say "installing ${need[*]} (apt-get)"
    t0=$(date +%s)
    # The packages must not start their services (no systemd here; we start
    # the daemons by hand below): a policy-rc.d that says no, unless one is there.
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_install() { timeout 600 apt-get install -y -q --no-install-recommends "${need[@]}" >/tmp/slurm-test-apt.log 2>&1; }
    installed=1
    apt_install || { timeout 300 apt-get update -q >>/tmp/slurm-test-apt.log 2>&1 && apt_install; } || installed=
    [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
    [ -n "$installed" ] || {
        tail -20 /tmp/slurm-test-apt.log >&2
        die "apt-get could not install ${need[*]} (log: /tmp/slurm-test-apt.log)"
    }
    say "installed in $(($(date +%s) - t0)) s"
fi
for c in munged munge unmunge slurmctld slurmd sbatch squeue scontrol scancel; do
    command -v "$c" >/dev/null || die "$c is not on the PATH after installing the packages"
done

# ---- a temporary folder for everything the cluster writes ------------------
work=$(mktemp -d /tmp/surgesim-slurm.XXXXXX)
chmod 755 "$work"
pids=()  # daemons we started, stopped in reverse order on exit
names=()
ok=

stop() {
    local rc=$?
    set +e
    # Jobs first (a failure may leave some running; they are ours: this
    # cluster is private), then the daemons, each by the PID we started.
    if [ ${#pids[@]} -gt 0 ] && command -v squeue >/dev/null; then
        local queued
        queued=$(squeue -h -o %A 2>/dev/null)
        if [ -n "$queued" ]; then
            # shellcheck disable=SC2086
            scancel $queued 2>/dev/null
            for _ in $(seq 20); do
                [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
                sleep 0.5
            done
        fi
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        local p=${pids[i]}
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 50); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$p" 2>/dev/null; then
            echo "slurm-test: ${names[i]} (PID $p) did not stop in 10 s: killed" >&2
            kill -9 "$p" 2>/dev/null
        fi
        wait "$p" 2>/dev/null
    done
    # slurmd daemonizes a slurmstepd per job step (a child of PID 1, not of
    # this script): it exits with its job and PID 1 reaps it a moment later.
    # Wait for that, so nothing of this cluster is left when the script
    # returns; one still alive then is a failure (a leaked job step).
    if [ ${#pids[@]} -gt 0 ]; then
        local left=
        for _ in $(seq 50); do
            left=$(pgrep -x slurmstepd | paste -sd' ')
            [ -n "$left" ] || break
            sleep 0.2
        done
        if [ -n "$left" ]; then
            # shellcheck disable=SC2086
            if ps -o stat= -p ${left// /,} | grep -qv '^Z'; then
                echo "slurm-test: FAILED: slurmstepd still running after the daemons stopped (PIDs $left)" >&2
                [ "$rc" != 0 ] || rc=1
                ok=
            else
                echo "slurm-test: note: slurmstepd zombies $left not yet reaped by PID 1 (they are not running)" >&2
            fi
        fi
    fi
    if [ -n "$ok" ]; then
        rm -rf "$work"
    else
        for f in "$work"/*.log; do
            [ -f "$f" ] || continue
            echo "---- last lines of $f" >&2
            tail -15 "$f" >&2
        done
        echo "slurm-test: logs and job outputs kept in $work" >&2
    fi
    exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Poll COMMAND (a shell string) until it succeeds, for at most SECONDS;
# on timeout, fail saying WHAT was awaited.
wait_for() {
    local seconds=$1 what=$2 cmd=$3
    local deadline=$(($(date +%s) + seconds))
    until eval "$cmd" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || die "waited $seconds s for $what"
        sleep 0.5
    done
}

# ---- munge --------------------------------------------------------------------
# munged as the munge user, its key mode 0400 owned by munge, /run/munge for
# its socket. A munged already serving that socket is used, not started again.
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    say "munged already running: using it"
else
    key=/etc/munge/munge.key
    mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 0700 /etc/munge
    chmod 0755 /run/munge
    if [ ! -s "$key" ]; then
        dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    fi
    chown munge:munge "$key"
    chmod 0400 "$key"
    setpriv --reuid=munge --regid=munge --clear-groups /usr/sbin/munged --foreground \
        >"$work/munged.log" 2>&1 &
    pids+=($!)
    names+=(munged)
    wait_for 10 "munged to answer (munge -n | unmunge)" 'munge -n | unmunge'
fi

# ---- slurm.conf -----------------------------------------------------------------
host=$(hostname -s)
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
# A single-node cluster for scripts/slurm-test.sh (written by it).
ClusterName=surgesimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
# No cgroups: with them a job fails here yet is reported COMPLETED.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# No accounting (no slurmdbd): squeue and scontrol are polled.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
# Finished jobs stay visible to scontrol this long (their exit codes).
MinJobAge=600
# 16 CPUs whatever the machine has (config_overrides), so the 16 tasks start
# at once rather than a few at a time: each is small at --scale $scale, and
# the test's time is Slurm's launching, not the work.
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=16 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# ---- the daemons ----------------------------------------------------------------
# In the foreground (-D) as our children, so $! is the daemon's PID; -f and
# SLURM_CONF (for the clients) both point at the file above.
slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
names+=(slurmctld)
slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
names+=(slurmd)

# Registered: slurmd has told slurmctld it started (SlurmdStartTime set) and
# the node is idle, not idle* (not responding) nor drained.
registered() {
    local n
    n=$(scontrol -o show node "$host" 2>/dev/null) || return 1
    [[ $n == *" State=IDLE "* ]] && [[ $n != *"SlurmdStartTime=None"* ]]
}
wait_for 30 "node $host to register with slurmctld (scontrol show node)" registered
say "cluster up in $(($(date +%s) - started)) s since start (node $host, Slurm $(scontrol -V | awk '{print $2}'))"

# ---- the guide's job array ---------------------------------------------------------
# The fenced ```sh blocks of the guide: the batch script (the one with
# `#SBATCH --array`) and the commands that submit it (the one with `sbatch`).
block() {
    awk -v want="$1" '
        /^```/ { if (inside) { if (found) { printf "%s", text; exit } inside = 0; text = ""; next }
                 if ($0 == "```sh") { inside = 1; found = 0; next } }
        inside { text = text $0 "\n"; if (index($0, want)) found = 1 }
    ' "$guide"
}
script=$(block '#SBATCH --array')
submit=$(block 'sbatch --parsable')
[ -n "$script" ] || die "no \`\`\`sh block with '#SBATCH --array' in $guide"
[ -n "$submit" ] || die "no \`\`\`sh block with 'sbatch --parsable' in $guide"
grep -q -- '--dependency=afterok' <<<"$submit" || die "the guide's submit block has no --dependency=afterok merge"
merge_cmd=$(sed -n "s/.*--wrap '\(surgesim merge [^']*\)'.*/\1/p" <<<"$submit")
[ -n "$merge_cmd" ] || die "the guide's submit block has no --wrap 'surgesim merge ...'"
[ "$(grep -c 'surgesim sweep ' <<<"$script")" = 1 ] || die "the guide's batch script should run surgesim sweep once"

# A submit folder as a planner has it: the scenarios beside the batch script
# (relative paths resolve against it), surgesim on the PATH the jobs inherit.
submit_dir() {
    mkdir -p "$1"
    cp -r "$repo/scenarios" "$1/"
    sed "s/surgesim sweep /surgesim sweep --scale $scale /" <<<"$script" >"$1/sweep.sh"
}
export PATH="$(dirname "$bin"):$PATH"
[ "$(command -v surgesim)" = "$bin" ] || die "surgesim on the PATH is $(command -v surgesim), not $bin"

# Wait until the private cluster's queue is empty; fail on a job left pending
# for good (a dependency that can never be met means a task failed).
drain() {
    local seconds=$1 what=$2 deadline q
    deadline=$(($(date +%s) + seconds))
    while q=$(squeue -h -o '%i %T %r' 2>&1) && [ -n "$q" ]; do
        if grep -q DependencyNeverSatisfied <<<"$q"; then
            echo "$q" >&2
            tail -n 3 slurm-*.out >&2 2>/dev/null || true
            die "$what: a dependency can never be met (a task failed)"
        fi
        [ "$(date +%s)" -lt "$deadline" ] || {
            echo "$q" >&2
            die "$what: jobs still queued after $seconds s"
        }
        sleep 1
    done
    [ -z "$q" ] || die "squeue failed: $q"
}

say "1. the guide's array (16 tasks, --scale $scale) and its dependent merge"
t0=$(date +%s)
submit_dir "$work/run1"
cd "$work/run1"
bash -euo pipefail -c "$submit" >submit.out 2>&1 || {
    cat submit.out >&2
    die "the guide's submit commands failed"
}
drain 600 "the guide's array"
# Every job (16 tasks and the merge) completed with exit code 0.
shown=$(scontrol -o show job)
[ "$(grep -c . <<<"$shown")" = 17 ] || {
    echo "$shown" >&2
    die "expected 17 jobs (16 tasks and the merge), scontrol shows $(grep -c . <<<"$shown")"
}
bad=$(grep -v 'JobState=COMPLETED .*ExitCode=0:0' <<<"$shown" | grep -o 'JobId=[0-9]* \|JobState=[A-Z]*\|ExitCode=[0-9:]*' | paste -sd' ' || true)
[ -z "$bad" ] || die "jobs that did not complete with exit code 0: $bad"
say "   array and merge done in $(($(date +%s) - t0)) s"

# The same sweep in one process: the batch script's command without --shard,
# into another folder.
whole=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' sweep.sh | grep 'surgesim sweep ' |
    sed -E 's/--shard "[^"]*"//; s/--out "[^"]*"/--out whole/')
grep -q -- '--out whole' <<<"$whole" || die "could not turn the batch script's sweep into one process's: $whole"
bash -euo pipefail -c "$whole" || die "the one-process sweep failed: $whole"
for f in sweep.csv sweep.json; do
    [ -s "sweep/$f" ] || die "the merge job wrote no sweep/$f"
    cmp "sweep/$f" "whole/$f" || die "merged sweep/$f differs from the one-process sweep's"
done
say "   merged sweep.csv and sweep.json = the one-process sweep's, byte for byte ($(($(wc -l <sweep/sweep.csv) - 1)) points)"

say "2. the array again with one task cancelled: merge must refuse"
t0=$(date +%s)
submit_dir "$work/run2"
cd "$work/run2"
# Held until the task is cancelled, so it is cancelled before it can run.
id=$(sbatch --parsable --hold sweep.sh) || die "sbatch failed"
cancel=5
scancel "${id}_$cancel" || die "scancel ${id}_$cancel failed"
scontrol release "$id" || die "scontrol release $id failed"
drain 600 "the second array"
say "   array done in $(($(date +%s) - t0)) s"
n=$(find shards -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n" = 15 ] || die "expected 15 shards after cancelling one task, found $n"
set +e
bash -c "$merge_cmd" >merge.out 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || {
    cat merge.out >&2
    die "merge of the incomplete set exited $rc, expected 2 (bad input)"
}
grep -q "shard $cancel/16 is missing" merge.out || {
    cat merge.out >&2
    die "merge's refusal does not name shard $cancel/16"
}
[ ! -e sweep ] || die "merge refused yet wrote sweep/"
say "   merge refused: $(head -1 merge.out)"

cd /
ok=1
say "ok in $(($(date +%s) - started)) s"
