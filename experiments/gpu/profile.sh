#!/usr/bin/env bash
# Short device script (≈ 2 minutes): per-op profile of ResNet-18 batch 256 and `deep check` (CPU
# f32/bf16 and CUDA f32/tf32/bf16 against the f64 CPU reference). Needs carry/largestep.xz
# (experiments/gpu/build.sh with PACK=carry) and PyTorch cu130 on the machine for the CUDA
# libraries (found exactly as run.sh does). Writes under $OUT (default /tmp/largestep-out):
#   profile.txt   `deep bench --profile` (Markdown table)
#   check.csv     `deep check --device cuda`
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=experiments/gpu/env.sh
. "$ROOT/experiments/gpu/env.sh"
log "setup done"

log "profile, ResNet-18 width 64, batch 256"
timeout 100 "$BIN" deep bench --profile --device cuda --model resnet18 --width 64 --batch 256 --warmup 3 --steps 10 \
  2>&1 | tee "$OUT/profile.txt"
log "check against the f64 CPU reference (CPU f32/bf16, CUDA f32/tf32/bf16)"
timeout 150 "$BIN" deep check --device cuda --batch 16 2>&1 | tee "$OUT/check.csv"
log "done"
