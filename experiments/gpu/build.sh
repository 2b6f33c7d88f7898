#!/usr/bin/env bash
# Build the `largestep` binary with `--features cuda` on a machine WITHOUT a GPU or CUDA toolkit.
#
# CUDA 13.0 compiler + libraries come from NVIDIA's PyPI wheels in a venv outside the repository;
# libcuda (the driver's library, which no wheel ships) is replaced at link time by a stub whose
# entry points all return CUDA_ERROR_NO_DEVICE (100). On the GPU machine the real driver is used.
# Pinned to 13.0: newer nvcc is rejected by cudarc, and its PTX would not load on driver 580.
#
#   experiments/gpu/build.sh            # venv in /tmp/cuda-venv, target dir target-cuda/
#   VENV=... CARGO_TARGET_DIR=... COMPUTE_CAP=90 experiments/gpu/build.sh
#   PACK=carry experiments/gpu/build.sh # also write carry/largestep.xz for the device tool
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-/tmp/cuda-venv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-cuda}

if [ ! -x "$VENV/bin/nvcc-ok" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -U pip
  "$VENV/bin/pip" install -q "cuda-toolkit[nvcc,cudart,cccl,crt,nvvm,cublas,curand,nvrtc]==13.0.*"
fi
R=$("$VENV/bin/python" -c 'import nvidia,os;print(os.path.join(list(nvidia.__path__)[0],"cu13"))')
(
  cd "$R/lib"
  for l in cudart:13 cublas:13 cublasLt:13 nvrtc:13 curand:10; do
    ln -sf "lib${l%:*}.so.${l#*:}" "lib${l%:*}.so"
  done
  mkdir -p stubs && cd stubs
  if [ ! -f libcuda.so ]; then
    src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cudarc-*/src/driver/sys/mod.rs | head -n1)
    grep -ohE '^\s+fn cu[A-Za-z0-9_]+\(' "$src" | sed -E 's/^\s+fn (cu[A-Za-z0-9_]+)\(/\1/' | sort -u \
      | awk '{print "int "$1"(void){return 100;}"}' >cuda_stub.c
    gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o libcuda.so cuda_stub.c
    ln -sf libcuda.so libcuda.so.1
  fi
)
touch "$VENV/bin/nvcc-ok"

cd "$ROOT"
PATH="$R/bin:$PATH" CUDA_HOME="$R" CUDA_COMPUTE_CAP=${COMPUTE_CAP:-90} CUDAFORGE_THREADS=${CUDAFORGE_THREADS:-2} \
  cargo build --release --features cuda --bin largestep
BIN="$CARGO_TARGET_DIR/release/largestep"
echo "built $BIN ($(du -h "$BIN" | cut -f1))"
if [ -n "${PACK:-}" ]; then
  mkdir -p "$ROOT/$PACK"
  strip -o "$CARGO_TARGET_DIR/largestep.stripped" "$BIN"
  xz -T2 -6 -c "$CARGO_TARGET_DIR/largestep.stripped" >"$ROOT/$PACK/largestep.xz"
  echo "packed $ROOT/$PACK/largestep.xz ($(du -h "$ROOT/$PACK/largestep.xz" | cut -f1))"
fi
