#!/usr/bin/env bash
# Fresh-clone walkthrough (issue 19): README's two commands plus the workflow commands, timed.
set -uo pipefail
cd "$1"
t() { local s=$(date +%s.%N); echo "\$ $*"; "$@" > /tmp/wt_out.txt 2>&1; local rc=$?; local e=$(date +%s.%N);
      tail -n ${TAIL:-6} /tmp/wt_out.txt; printf '[exit %d, wall %.1f s]\n\n' $rc $(echo "$e - $s" | bc); }
B=${CARGO_TARGET_DIR:-target}/release/largestep
t cargo run --release -- reproduce fig2
TAIL=12 t bash -c "$B schema | head -12"
TAIL=8 t bash -c "$B show fig2 | head -8"
t $B reproduce fig2 --set data.d=300 --set 'runs.*.schedule.step=0.19' --set runs.constant.schedule.step=0.17 --out results/d300
t $B run examples/data/own-data.toml
for ex in reproduce_figure custom_model appendix_b_prover read_results; do t cargo run --release --example $ex; done
