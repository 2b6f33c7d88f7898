#!/usr/bin/env bash
# ONE device script: largestep vs PyTorch training throughput on the same card in the same run,
# both models (ResNet-18 "plain", DenseNet-BC-100-12), all three precisions (f32 with TF32 off,
# tf32, bf16 mixed), batch 256, SGD momentum 0.9 + L2 5e-4, synchronized medians; peak GPU
# memory of each process; the ratios; the per-op profile; `deep check` against the f64 CPU
# reference. Needs carry/largestep.xz (experiments/gpu/build.sh with PACK=carry) and PyTorch
# cu130 on the machine. ≈ 6 minutes on an H200. Writes under $OUT (default /tmp/largestep-out):
#   compare.txt   raw lines; ratios.csv   model,precision,largestep_img_s,pytorch_img_s,ratio,
#                 largestep_peak_mib,pytorch_peak_mib,memory_ratio
#   profile.txt   `deep bench --profile` (ResNet-18 per-op times)
#   check.csv     `deep check --device cuda` (CPU f32/bf16 and CUDA f32/tf32/bf16 vs CPU f64)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STEPS=${STEPS:-10}
# shellcheck source=experiments/gpu/env.sh
. "$ROOT/experiments/gpu/env.sh"
log "setup done"

# Peak memory.used of the GPU while "$@" runs (nvidia-smi every 0.1 s), appended to its output.
with_peak() {
  local f="$W/mem.$$" pid
  : >"$f"
  (while :; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits >>"$f" 2>/dev/null; sleep 0.1; done) &
  pid=$!
  "$@"
  kill "$pid" 2>/dev/null
  echo "gpu peak $(sort -n "$f" | tail -n1) MiB"
}

echo "model,precision,largestep_img_s,pytorch_img_s,ratio,largestep_peak_mib,pytorch_peak_mib,memory_ratio" >"$OUT/ratios.csv"
for model in resnet18 densenet100; do
  for p in f32 tf32 bf16; do
    log "$model $p"
    c=$(with_peak timeout 120 "$BIN" deep bench --device cuda --model "$model" --batch 256 --precision "$p" \
      --setting sota --warmup 3 --steps "$STEPS" 2>&1)
    echo "$c" | tee -a "$OUT/compare.txt"
    t=""
    [ -n "$PY" ] && t=$(with_peak timeout 120 "$PY" "$ROOT/experiments/gpu/torch_throughput.py" --model "$model" \
      --precision "$p" --batch 256 --warmup 3 --steps "$STEPS" 2>&1)
    echo "$t" | tee -a "$OUT/compare.txt"
    ips() { grep -oE '[0-9]+ images/s' | head -n1 | grep -oE '[0-9]+'; }
    peak() { grep -oE 'gpu peak [0-9]+' | grep -oE '[0-9]+$'; }
    python3 - "$model" "$p" "$(echo "$c" | ips)" "$(echo "$t" | ips)" "$(echo "$c" | peak)" "$(echo "$t" | peak)" \
      >>"$OUT/ratios.csv" <<'PY'
import sys
m, p, a, b, ma, mb = (sys.argv[1:] + [""] * 6)[:6]
r = lambda x, y: f"{float(x) / float(y):.3f}" if x and y else "missing"
print(f"{m},{p},{a or 'missing'},{b or 'missing'},{r(a, b)},{ma or 'missing'},{mb or 'missing'},{r(ma, mb)}")
PY
  done
done
column -s, -t "$OUT/ratios.csv" | tee "$OUT/ratios.txt"

log "per-op profile, ResNet-18 batch 256"
timeout 100 "$BIN" deep bench --profile --device cuda --model resnet18 --width 64 --batch 256 --warmup 3 --steps 10 \
  2>&1 | tee "$OUT/profile.txt"
log "deep check against the f64 CPU reference"
timeout 150 "$BIN" deep check --device cuda --batch 16 2>&1 | tee "$OUT/check.csv"
log "done"
