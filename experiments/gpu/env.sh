# Sourced by run.sh and profile.sh on the GPU machine: output folders, a timed log, the CUDA
# libraries (PyTorch cu130's nvidia/cu13/lib, the driver's libcuda) and the unpacked binary.
# Sets OUT, W, T0, PY, BIN and log(); expects ROOT (the checkout).
OUT=${OUT:-/tmp/largestep-out}
W=${WORK:-/tmp/largestep-run}
mkdir -p "$OUT" "$W"
T0=$(date +%s)
elapsed() { echo $(($(date +%s) - T0)); }
log() { echo "[$(elapsed)s] $*" | tee -a "$OUT/run.log"; }

log "date $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1 | tee "$OUT/gpu.txt"
PY=""
for p in python3 python; do
  if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || log "no python with torch found"
if [ -n "$PY" ]; then
  LIB=$("$PY" -c 'import nvidia,os;print(os.path.join(list(nvidia.__path__)[0],"cu13","lib"))' 2>/dev/null)
  log "python $PY, torch $("$PY" -c 'import torch;print(torch.__version__, torch.version.cuda)'), libs $LIB"
  export LD_LIBRARY_PATH="$LIB:${LD_LIBRARY_PATH:-}"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu; do
  [ -e "$d/libcuda.so.1" ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
done
xz -dc "$ROOT/carry/largestep.xz" >"$W/largestep" && chmod +x "$W/largestep"
BIN="$W/largestep"
ldd "$BIN" | grep -E "cuda|cublas|curand|not found" | tee "$OUT/ldd.txt"
