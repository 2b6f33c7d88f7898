#!/usr/bin/env bash
# Fig. 1 at full scale on the GPU machine: ResNet-18 on the 50 000 CIFAR-10 training images
# (10 000 test), setting fig1 (no momentum, no augmentation, L2 5e-4), batch 256, 100 epochs;
# η = 0.007 constant vs η = 1.5 decayed at 10 / 30 / 50 % (÷10, then ÷100 at 90 %, DESIGN §3):
# the four runs side by side in one process (one CUDA stream each), sparsity of blocks 3 and 4
# (layer3, layer4) every epoch on 10 752 training images, Fig. 17's filters at the end.
#
# Each call trains for at most LIMIT seconds (default 540, under the device tool's 10 minutes)
# and checkpoints every epoch of every run; call it again on the same (warm) machine and it
# resumes from $W/fig1 (the machine keeps its local files between calls). Needs carry/largestep.xz
# and carry/cifar10-images.tar.gz. Copies the CSV, the figure, the filters and the log to $OUT.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIMIT=${LIMIT:-540}
PRECISION=${PRECISION:-tf32}
# shellcheck source=experiments/gpu/env.sh
. "$ROOT/experiments/gpu/env.sh"
[ -d "$W/cifar10-images" ] || tar -xzf "$ROOT/carry/cifar10-images.tar.gz" -C "$W"
log "setup done; resuming from $(ls "$W"/fig1/*/checkpoint.json 2>/dev/null | wc -l) checkpoints"
timeout --signal=INT "$((LIMIT - $(elapsed) - 15))" "$BIN" deep train --device cuda --side-by-side --resume \
  --model resnet18 --dataset cifar10 --data "$W/cifar10-images" --setting fig1 --batch 256 --epochs 100 \
  --precision "$PRECISION" --schedule constant:0.007 --schedule step:1.5:0.1 --schedule step:1.5:0.3 \
  --schedule step:1.5:0.5 --metric-every 1 --out "$W/fig1" 2>&1 | grep -v '\[=' | tee -a "$OUT/fig1.log"
mkdir -p "$OUT/fig1"
cp "$W"/fig1/deep.* "$OUT/fig1/" 2>/dev/null
for r in "$W"/fig1/*/; do
  n=$(basename "$r")
  cp "$r/checkpoint.json" "$OUT/fig1/$n-log.json" 2>/dev/null
  cp "$r/filters.png" "$OUT/fig1/$n-filters.png" 2>/dev/null
done
log "epochs done per run: $(for r in "$W"/fig1/*/checkpoint.json; do python3 -c 'import json,sys;print(len(json.load(open(sys.argv[1]))[1]),end=" ")' "$r"; done)"
