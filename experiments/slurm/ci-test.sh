#!/usr/bin/env bash
# Integration test on a real Slurm (called by .ci/run): installs Debian's slurm-wlm and munge if
# missing, starts a one-node cluster on localhost (munged, slurmctld, slurmd; no systemd;
# /work/shared/slurm/single-node.md), submits a 4-task sweep array plus the dependent merge job
# through submit.sh, runs the same sweep unsharded, and requires every output file of the merge
# to be byte-identical to the unsharded one. Where Slurm cannot start, it says why and FAILS.
#
#   experiments/slurm/ci-test.sh BIN      (BIN: a built largestep binary)
set -uo pipefail
fail() { echo "slurm test FAILED: $*" >&2; keep=1; exit 1; }
bin=$(realpath "${1:-target/debug/largestep}") || fail "no largestep binary given"
[ -x "$bin" ] || fail "largestep binary $bin not found (build it first)"
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || fail "needs root to install and start munge and Slurm (uid $(id -u))"

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || fail "slurm-wlm/munge missing and no apt-get to install them"
  echo "installing slurm-wlm and munge (apt-get)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) >/tmp/slurm-apt.log 2>&1 ||
    fail "apt-get install slurm-wlm munge failed: $(tail -3 /tmp/slurm-apt.log)"
fi

work=$(mktemp -d /tmp/largestep-slurm.XXXXXX)
cleanup() {
  for f in "$work"/run/d.pid "$work"/run/ctld.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  [ -n "${munge_pid:-}" ] && kill "$munge_pid" 2>/dev/null
  sleep 1
  if [ -n "${keep:-}" ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# munge: reuse a running daemon, else start one with a fresh key.
if ! (munge -n | unmunge) >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
  [ -s /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
  chmod 400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged || fail "munged did not start"
  sleep 1
  munge_pid=$(cat /run/munge/munged.pid 2>/dev/null)
  (munge -n | unmunge) >/dev/null 2>&1 || fail "munge does not authenticate (munge -n | unmunge)"
fi

host=$(hostname -s)
mem=$(($(free -m | awk '/^Mem:/{print $2}') * 9 / 10))
mkdir -p "$work"/{state,spool,log,run,out}
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldLogFile=$work/log/ctld.log
SlurmdLogFile=$work/log/d.log
SlurmctldPidFile=$work/run/ctld.pid
SlurmdPidFile=$work/run/d.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -3 "$work/log/ctld.log" 2>/dev/null)"
/usr/sbin/slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -3 "$work/log/d.log" 2>/dev/null)"
for _ in $(seq 60); do
  state=$(sinfo -h -o %t 2>/dev/null | head -1)
  [ "$state" = idle ] && break
  [ "$state" = "unk" ] || [ "$state" = "down" ] && /usr/sbin/slurmd -f "$SLURM_CONF" 2>/dev/null
  sleep 1
done
[ "$state" = idle ] || fail "node not idle after 60 s (state '$state'): $(tail -3 "$work/log/d.log" 2>/dev/null)"

args=("$here/example.toml" --seeds 2 --vary 'runs.decay10.schedule.step+runs.decay30.schedule.step+runs.decay50.schedule.step=0.25,0.3' --vary 'training.seed=1,2')
ids=$(LARGESTEP=$bin "$here/submit.sh" "$work/out" 4 "${args[@]}") || fail "sbatch refused the jobs"
read -r array merge <<<"$ids"
echo "submitted array $array (4 shards) and merge $merge"
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] || fail "jobs still queued after 10 min"
for t in 0 1 2 3; do
  [ -f "$work/out/shard-$t/shard.json" ] || fail "array task $t wrote no shard: $(cat "$work"/out/largestep-shard-*_"$t".out 2>/dev/null | tail -3)"
done
[ -f "$work/out/merged/cells.csv" ] || fail "merge job wrote nothing: $(cat "$work"/out/largestep-merge-*.out 2>/dev/null | tail -3)"

"$bin" sweep "${args[@]}" --out "$work/unsharded" >/dev/null || fail "unsharded sweep failed"
status=0
for f in runs.csv seeds.csv cells.csv observations.csv grid.json config.toml phase.png phase.svg; do
  if cmp -s "$work/unsharded/$f" "$work/out/merged/$f"; then
    echo "identical: $f"
  else
    echo "DIFFERENT: $f" >&2
    status=1
  fi
done
[ $status = 0 ] || fail "merged Slurm output differs from the unsharded sweep"
echo "slurm test passed: 4-task array + dependent merge on $host, output byte-identical to the unsharded sweep"
