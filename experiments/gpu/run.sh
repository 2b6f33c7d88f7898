#!/usr/bin/env bash
# The one script for the lent GPU machine (fits in ~8 minutes). It needs, in the checkout:
#   carry/largestep.xz             the CUDA binary (experiments/gpu/build.sh with PACK=carry)
#   carry/cifar10-images.tar.gz    CIFAR-10 as class-folder JPEGs (../shared/data/)
# and PyTorch (cu130) on the machine. Writes everything under $OUT (default /tmp/largestep-out):
#   (1) check.csv   CUDA vs CPU forward/backward relative errors, every model, f32;
#   (2) bench.txt   ResNet-18 batch-256 training throughput, candle vs PyTorch, same card;
#   (3) replication/  CIFAR-10, small constant step vs large step with exponential warmup and
#       decay, as many epochs as fit: per-epoch train loss, test error, sparsity per block.
# BUDGET (seconds, default 470) bounds the whole script.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUDGET=${BUDGET:-470}
# shellcheck source=experiments/gpu/env.sh
. "$ROOT/experiments/gpu/env.sh"
tar -xzf "$ROOT/carry/cifar10-images.tar.gz" -C "$W"
log "setup done"

log "(1) CUDA vs CPU forward/backward"
timeout 120 "$BIN" deep check --device cuda --batch 16 2>&1 | tee "$OUT/check.csv"

log "(2) throughput, ResNet-18, batch 256"
timeout 90 "$BIN" deep bench --device cuda --model resnet18 --batch 256 --warmup 3 --steps 10 2>&1 | tee "$OUT/bench.txt"
[ -n "$PY" ] && timeout 90 "$PY" "$ROOT/experiments/gpu/torch_throughput.py" --batch 256 --warmup 3 --steps 10 2>&1 | tee -a "$OUT/bench.txt"
IPS=$(grep -oE '^candle.*,([0-9]+) images/s' "$OUT/bench.txt" | grep -oE '[0-9]+ images/s' | grep -oE '[0-9]+' | head -n1)
IPS=${IPS:-2000}

LEFT=$((BUDGET - $(elapsed) - 25))
# Two runs share what is left; an epoch costs 50 000 training images at the measured rate (plus
# ~20 % for evaluation and the sparsity metric every other epoch).
read -r EPOCHS SUBSET < <(python3 - "$IPS" "$LEFT" <<'PY'
import sys
ips, left = float(sys.argv[1]), float(sys.argv[2])
per_run = left / 2
for subset in (50000, 25000, 10000):
    e = int(per_run / (subset / ips * 1.25 + 2.5))
    if e >= 6 or subset == 10000:
        print(max(1, min(e, 40)), subset)
        break
PY
)
log "(3) replication: $EPOCHS epochs on $SUBSET training images, candle at $IPS images/s, ${LEFT}s left"
timeout "$LEFT" "$BIN" deep train --device cuda --model resnet18 --dataset cifar10 --data "$W/cifar10-images" \
  --setting basic --schedule constant:0.01 --schedule warmup:0.75:0.5 --epochs "$EPOCHS" --subset "$SUBSET" \
  --metric-images 2048 --metric-every 2 --out "$W/replication" 2>&1 | grep -v '\[=' | tee "$OUT/replication.log"
mkdir -p "$OUT/replication"
cp "$W"/replication/deep.* "$OUT/replication/" 2>/dev/null
for r in "$W"/replication/*/; do cp "$r/filters.png" "$OUT/replication/$(basename "$r")-filters.png" 2>/dev/null; done
log "done"
