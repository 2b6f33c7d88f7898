#!/usr/bin/env bash
# Short device script (≈ 1–2 minutes): per-op profile of ResNet-18 batch 256 and the CUDA-vs-CPU
# check with cuBLAS TF32 explicitly off (and, for contrast, on). Needs carry/largestep.xz
# (experiments/gpu/build.sh with PACK=carry) and PyTorch cu130 on the machine for the CUDA
# libraries (found exactly as run.sh does). Writes under $OUT (default /tmp/largestep-out):
#   profile.txt   `deep bench --profile` (Markdown table)
#   check-tf32-off.csv, check-tf32-on.csv   `deep check` with --gemm-reduced-precision false/true
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=experiments/gpu/env.sh
. "$ROOT/experiments/gpu/env.sh"
log "setup done"

log "profile, ResNet-18 width 64, batch 256"
timeout 100 "$BIN" deep bench --profile --device cuda --model resnet18 --width 64 --batch 256 --warmup 3 --steps 10 \
  2>&1 | tee "$OUT/profile.txt"
log "check, TF32 off"
timeout 60 "$BIN" deep check --device cuda --batch 16 --gemm-reduced-precision false 2>&1 | tee "$OUT/check-tf32-off.csv"
log "check, TF32 on (ResNet-18, ResNet-34)"
timeout 40 "$BIN" deep check --device cuda --batch 16 --model resnet18 --model resnet34 --gemm-reduced-precision true \
  2>&1 | tee "$OUT/check-tf32-on.csv"
log "done"
