#!/usr/bin/env bash
# A single-node Slurm on this machine, for testing the scripts beside this one (not for production):
#   scripts/slurm/local-cluster.sh start DIR   # munged + slurmctld + slurmd, all state under DIR
#   scripts/slurm/local-cluster.sh stop DIR    # cancels its jobs, stops the daemons `start DIR` started
# `start` writes DIR/slurm.conf (NodeName=$(hostname -s), CPUs=$(nproc), no cgroups, no accounting
# database; each finished job and array task is a line of DIR/jobcomp.txt), waits until the node is
# idle and prints `export SLURM_CONF=DIR/slurm.conf`: sbatch/squeue/scontrol need it. Needs root and
# Debian's slurm-wlm + munge (scripts/apt-deps.sh). Nothing outside DIR is touched: the
# munge socket, key, spool and logs all live there, so it runs beside a system Slurm or munge.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 64; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop_pid() { # stop_pid FILE: SIGTERM the process whose id FILE holds, wait up to 10 s
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$f"
}

if [ "$cmd" = stop ]; then
  # This cluster's jobs first (its own slurm.conf: a system Slurm's jobs are not touched).
  [ -f "$dir/slurmctld.pid" ] && SLURM_CONF=$dir/slurm.conf timeout 10 scancel --user="$(id -un)" 2>/dev/null || true
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munged.pid"
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 64; }

for b in munged slurmctld slurmd sinfo; do
  command -v "$b" >/dev/null || { echo "local-cluster: $b not found: apt-get install slurm-wlm munge" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "local-cluster: needs root (slurmd runs jobs as their user)" >&2; exit 3; }

node=$(hostname -s)
mkdir -p "$dir/munge" "$dir/ctld" "$dir/spool"
chmod 700 "$dir/munge"
[ -f "$dir/munge/munge.key" ] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge/munge.key"; }
# A port per DIR so two clusters on one machine do not collide.
port=$((20000 + $(cksum <<<"$dir" | cut -d' ' -f1) % 20000))

cat >"$dir/slurm.conf" <<CONF
ClusterName=lumbar-local
SlurmctldHost=$node
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf

munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Ready when the node takes jobs (idle); give up after 60 s with the logs' tails.
for _ in $(seq 120); do
  state=$(sinfo -h -N -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.5
done
echo "local-cluster: node $node not idle after 60 s (state: ${state:-none})" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
exit 1
