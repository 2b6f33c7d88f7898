#!/usr/bin/env bash
# largestep (candle + the op layer of src/deep/ops) against PyTorch CPU on this machine, in the
# same run: training throughput (images/s, median step after warm-up) and each process's peak
# resident memory, for ResNet-18 width 16 and 64 and DenseNet-BC-100, batch 64. Not part of CI.
#
#   experiments/cpu_side_by_side.sh                 # basic and sota, fused kernels
#   KERNELS="composed fused" SETTINGS=basic experiments/cpu_side_by_side.sh
#
# Environment: BATCH (64), WARMUP (2), STEPS (5), REPEATS (3: each pair run this many times,
# alternating, median reported), THREADS (nproc), SETTINGS ("basic sota"), MODELS
# ("resnet18:16 resnet18:64 densenet100:0"), KERNELS ("fused"), VENV (target/torch-cpu-venv,
# made here with PyTorch CPU if it does not import torch).
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH=${BATCH:-64} WARMUP=${WARMUP:-2} STEPS=${STEPS:-5} REPEATS=${REPEATS:-3}
THREADS=${THREADS:-$(nproc)} SETTINGS=${SETTINGS:-basic sota} KERNELS=${KERNELS:-fused}
MODELS=${MODELS:-resnet18:16 resnet18:64 densenet100:0}
VENV=${VENV:-target/torch-cpu-venv}

if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch numpy --index-url https://download.pytorch.org/whl/cpu \
    || "$VENV/bin/pip" install -q torch numpy
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
cargo build -q --release --features deep
BIN=$CARGO_TARGET_DIR/release/largestep
export RAYON_NUM_THREADS=$THREADS

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads $THREADS"
echo "largestep $(git rev-parse --short HEAD)$(git diff --quiet || echo +dirty); $("$VENV/bin/python" -c 'import torch; print("torch", torch.__version__)')"
echo "batch $BATCH, $WARMUP warm-up + $STEPS timed steps per run, median of $REPEATS runs"
# the number before a unit in a result line ("123.4 images/s" → 123.4)
num() { sed -E "s|.*[, ]([0-9.]+) $1.*|\1|"; }
# images/s from the median step time (candle prints images/s rounded to integers)
ips() { sed -E "s|.*median step ([0-9.]+) ms.*|\1|" | awk -v b="$BATCH" '{printf "%.2f\n", b * 1000 / $1}'; }
med() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
printf '| model | setting | kernels | largestep img/s | PyTorch img/s | ratio | largestep peak MiB | PyTorch peak MiB | memory ratio |\n|---|---|---|---|---|---|---|---|---|\n'
for setting in $SETTINGS; do
  for m in $MODELS; do
    model=${m%%:*} width=${m##*:}
    [ "$width" = 0 ] && width=64
    label=$model; [ "$model" = resnet18 ] && label="resnet18 w$width"
    for kernels in $KERNELS; do
      ls_ips=() ls_mem=() pt_ips=() pt_mem=()
      for _ in $(seq "$REPEATS"); do
        l=$("$BIN" deep bench --device cpu --model "$model" --width "$width" --batch "$BATCH" \
          --setting "$setting" --warmup "$WARMUP" --steps "$STEPS" --kernels "$kernels" | grep '^candle')
        p=$("$VENV/bin/python" experiments/torch_cpu_throughput.py --model "$model" --width "$width" \
          --batch "$BATCH" --setting "$setting" --warmup "$WARMUP" --steps "$STEPS" --threads "$THREADS")
        echo "  $l" >&2; echo "  $p" >&2
        ls_ips+=("$(ips <<<"$l")") ls_mem+=("$(num MiB <<<"$l")")
        pt_ips+=("$(ips <<<"$p")") pt_mem+=("$(num MiB <<<"$p")")
      done
      a=$(printf '%s\n' "${ls_ips[@]}" | med) b=$(printf '%s\n' "${pt_ips[@]}" | med)
      c=$(printf '%s\n' "${ls_mem[@]}" | med) d=$(printf '%s\n' "${pt_mem[@]}" | med)
      awk -v l="$label" -v s="$setting" -v k="$kernels" -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
        'BEGIN {printf "| %s | %s | %s | %.1f | %.1f | %.2f× | %.0f | %.0f | %.2f× |\n", l, s, k, a, b, a/b, c, d, c/d}'
    done
  done
done
