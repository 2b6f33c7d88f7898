#!/usr/bin/env bash
# Submits a sweep to Slurm as a job array of N shards plus a merge job that runs after all of
# them succeeded:
#
#   LARGESTEP=target/release/largestep experiments/slurm/submit.sh OUT N SWEEP-ARGS...
#   e.g. experiments/slurm/submit.sh results/atlas 4 fig2 --seeds 32 \
#          --vary 'runs.decay10.schedule.step+runs.decay30.schedule.step+runs.decay50.schedule.step=0.25:0.29:9'
#
# Shard I writes OUT/shard-I; the merge job writes OUT/merged. Prints the two job ids
# ("ARRAY_ID MERGE_ID"). Extra sbatch options (partition, time, account) go in SBATCH_EXTRA.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: LARGESTEP=BIN $0 OUT N SWEEP-ARGS..." >&2
  exit 2
fi
out=$1 n=$2
shift 2
case $n in '' | *[!0-9]*) echo "$0: N must be a positive integer, got '$n'" >&2; exit 2 ;; esac
[ "$n" -ge 1 ] || { echo "$0: N must be at least 1" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${LARGESTEP:-largestep}" 2>/dev/null || command -v largestep)
mkdir -p "$out"
out=$(realpath "$out")
export LARGESTEP=$bin OUT=$out
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_EXTRA:-} --chdir="$out" --array=0-$((n - 1)) --export=ALL "$here/shard.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_EXTRA:-} --chdir="$out" --dependency=afterok:"$array" --export=ALL "$here/merge.sbatch")
echo "$array ${merge%%;*}"
