#!/usr/bin/env bash
# The pilot behind experiments/deep-cifar10-small.toml (BENCHMARKS.md, "Deep networks at a
# reduced scale"). `largestep sweep` drives the small nets' configs (ExperimentConfig) only, not
# the deep protocol, so this script calls `largestep reproduce deep-cifar10-small` with `--set`
# per cell: seed 0, the two extreme large-step runs (decay after 10 % and after 50 %: the shortest
# plateau window and the longest large-step phase, where divergence shows first) for each warm-up
# base η₀, then the constant reference once. Prints one line per (η₀, run): last-epoch train
# loss, test loss and error, sparsity at blocks 3 and 4, and whether it diverged.
#
# usage: experiments/deep-small/pilot.sh BIN DATA OUT [η₀ ...]
set -euo pipefail
BIN=$1; DATA=$2; OUT=$3; shift 3
ETAS=${*:-0.05 0.1 0.2 0.4}
SIZE=(--set width=4 --set train_per_class=50 --set test_per_class=50 --set epochs=15 --set batch=25
      --set loss_every=2 --set metric_images=250)
cell() { # name runs-toml
  local t0=$SECONDS
  "$BIN" reproduce deep-cifar10-small --data "$DATA" --seeds 1 --no-plot "${SIZE[@]}" --set "runs=$2" \
    --out "$OUT/$1" >"$OUT/$1.log" 2>&1 || true
  awk -F, -v cell="$1" -v s=$((SECONDS - t0)) 'NR==1{for(i=1;i<=NF;i++)h[$i]=i; next}
    {last[$2]=$0} END{for(r in last){split(last[r],f,",");
      printf "%-10s %-9s epoch %3s  train %-9.4g test loss %-9.4g test err %-6.3f layer3 %-6.3f layer4 %-6.3f (%d s)\n",
      cell, r, f[h["epoch"]], f[h["train_loss"]], f[h["test_loss"]], f[h["test_error"]],
      f[h["sparsity_layer3"]], f[h["sparsity_layer4"]], s}}' "$OUT/$1/deep-cifar10-small/epochs.csv"
  grep -h "diverged" "$OUT/$1.log" || true
}
mkdir -p "$OUT"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for e in $ETAS; do
  cell "eta$e" "[{name=\"decay10\",schedule=\"warmup:$e:0.1\"},{name=\"decay50\",schedule=\"warmup:$e:0.5\"}]"
done
cell constant '[{name="constant",schedule="constant:0.01"},{name="constant2",schedule="constant:0.02"}]'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
