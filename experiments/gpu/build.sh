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
#   STUB_ONLY=DIR experiments/gpu/build.sh  # only fetch the crates and write the stub into DIR
#
# Order matters on a fresh machine: the stub's symbol list is read from cudarc's source, which is
# only on disk after `cargo fetch`; so the crates are fetched first (locked, host target only).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-/tmp/cuda-venv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-cuda}

# 1. The crates of Cargo.lock, cudarc among them.
(cd "$ROOT" && cargo fetch --locked --target "$(rustc -vV | sed -n 's/^host: //p')")
CUDARC=$(awk '/^name = "cudarc"$/{getline; gsub(/[^0-9.]/, ""); print; exit}' "$ROOT/Cargo.lock")
[ -n "$CUDARC" ] || { echo "build.sh: no cudarc in $ROOT/Cargo.lock" >&2; exit 1; }
CUDARC_SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"cudarc-$CUDARC" | head -n1)
[ -f "$CUDARC_SRC/src/driver/sys/mod.rs" ] || { echo "build.sh: cudarc $CUDARC source not found after cargo fetch" >&2; exit 1; }

# 2. A stub libcuda.so.1 whose every driver entry point returns CUDA_ERROR_NO_DEVICE (100).
write_stub() {
  mkdir -p "$1" && cd "$1"
  grep -ohE '^\s+fn cu[A-Za-z0-9_]+\(' "$CUDARC_SRC/src/driver/sys/mod.rs" \
    | sed -E 's/^\s+fn (cu[A-Za-z0-9_]+)\(/\1/' | sort -u \
    | awk '{print "int "$1"(void){return 100;}"}' >cuda_stub.c
  [ -s cuda_stub.c ] || { echo "build.sh: no driver entry points found in cudarc $CUDARC" >&2; exit 1; }
  gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o libcuda.so cuda_stub.c
  ln -sf libcuda.so libcuda.so.1
  echo "stub $1/libcuda.so ($(wc -l <cuda_stub.c) entry points of cudarc $CUDARC)"
}
if [ -n "${STUB_ONLY:-}" ]; then
  (write_stub "$STUB_ONLY")
  exit 0
fi

# 3. CUDA 13.0 from PyPI wheels.
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
)
[ -f "$R/lib/stubs/libcuda.so" ] || (write_stub "$R/lib/stubs")
touch "$VENV/bin/nvcc-ok"

# 4. The binary.
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
