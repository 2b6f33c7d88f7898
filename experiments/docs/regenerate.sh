#!/usr/bin/env bash
# Regenerates every committed artefact under docs/ and the README's claims table from the release
# binary of this checkout, and writes docs/ARTEFACTS.md: each file, the command that made it, the
# commit and the time. Run from anywhere: `bash experiments/docs/regenerate.sh` (about 15 minutes
# on 2 cores). Needs: cargo; chromium for docs/report.png (skipped, and said so, without it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
cargo build --release --features deep
B="$ROOT/${CARGO_TARGET_DIR:-target}/release/largestep"
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src theory proofs-check experiments Cargo.toml Cargo.lock || echo "-dirty")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG="$WORK/artefacts.md"
{
  echo "# Committed artefacts and the commands that made them"
  echo
  echo "Written by \`experiments/docs/regenerate.sh\` from the release binary at commit \`$COMMIT\`"
  echo "($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))."
  echo
  echo "| artefact | command | wall |"
  echo "|---|---|---|"
} > "$LOG"
# step NAME COMMAND...: runs COMMAND in $WORK, records it with its wall time.
step() {
  local what=$1; shift
  local s e
  s=$(date +%s.%N)
  # Exit status 3 = results written but a run diverged (reported in the output): not an error here.
  local rc=0
  (cd "$WORK" && "$@") || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then echo "failed ($rc): $*" >&2; exit "$rc"; fi
  e=$(date +%s.%N)
  printf '| %s | `%s` | %.1f s |\n' "$what" "$(echo "$*" | sed "s|$B|largestep|g; s|$WORK/||g")" "$(echo "$e - $s" | bc)" >> "$LOG"
}

# Figures of README (5 seeds: the bands are medians and quartiles over seeds).
step docs/fig2.png "$B" reproduce fig2 --seeds 5 --out "$WORK/r" > "$WORK/fig2.txt"
cp "$WORK/r/fig2/fig2.png" docs/fig2.png
cp "$WORK/fig2.txt" docs/sweep/fig2-5seeds.txt
step docs/fig5.png "$B" reproduce fig5 --seeds 5 --out "$WORK/r" > "$WORK/fig5.txt"
cp "$WORK/r/fig5/fig5.png" docs/fig5.png
cp "$WORK/fig5.txt" docs/sweep/fig5-5seeds.txt
if [ -f "$WORK/r/fig5/fig5.svg" ]; then cp "$WORK/r/fig5/fig5.svg" docs/fig5.svg; fi

# Rates over 30 seeds (Figs. 11, 12) and 64 seeds for Fig. 2's claims.
for f in fig11 fig12; do
  step "docs/sweep/$f-30seeds.txt" "$B" reproduce "$f" --seeds 30 --no-plot --out "$WORK/r" > "$WORK/$f.txt"
  cp "$WORK/$f.txt" "docs/sweep/$f-30seeds.txt"
  cp "$WORK/r/$f/aggregate.csv" "docs/sweep/$f-30seeds-aggregate.csv"
done
step docs/sweep/fig2-64seeds.txt "$B" reproduce fig2 --seeds 64 --no-plot --out "$WORK/r" > "$WORK/fig2-64.txt"
cp "$WORK/fig2-64.txt" docs/sweep/fig2-64seeds.txt

# The Fig. 2 atlas (9 step sizes × 32 seeds) and its phase diagram.
step docs/atlas/fig2 "$B" sweep fig2 --seeds 32 \
  --vary 'runs.decay10.schedule.step+runs.decay30.schedule.step+runs.decay50.schedule.step=0.25:0.29:9' \
  --out "$WORK/atlas-fig2"
mkdir -p docs/atlas/fig2
for f in cells.csv observations.csv grid.json; do cp "$WORK/atlas-fig2/$f" docs/atlas/fig2/; done
for f in "$WORK"/atlas-fig2/*.png "$WORK"/atlas-fig2/*.svg; do [ -f "$f" ] && cp "$f" docs/atlas/fig2/; done

# Fig. 9 / Appendix C: every model, 8 seeds, c calibrated at the length it is used.
step docs/sde-report.md "$B" sde-vs-sgd --model all --seeds 8 --calibrate --out "$WORK/sde" > "$WORK/sde.txt"
cp "$WORK/sde/report.md" docs/sde-report.md
for m in diagonal relu-1d relu-two-layer relu-three-layer; do
  mkdir -p "docs/sde/$m"
  for f in "$WORK/sde/$m"/*.png; do [ -f "$f" ] && cp "$f" "docs/sde/$m/"; done
done
cp "$WORK/sde.txt" docs/sde/summary.txt

# The claims at the paper's settings (16 seeds per figure): docs/claims.md and README's table.
step docs/claims.md "$B" verify > "$WORK/verify.txt"
step "README.md claims table" "$B" verify --markdown > "$WORK/claims-table.md"
{
  echo "# \`largestep verify\` at the paper's settings"
  echo
  echo '```'
  cat "$WORK/verify.txt"
  echo '```'
} > docs/claims.md
python3 - "$WORK/claims-table.md" <<'PY'
import sys, re
table = open(sys.argv[1]).read()
readme = open("README.md").read()
begin, end = "<!-- claims-table:begin -->", "<!-- claims-table:end -->"
assert begin in readme and end in readme, "README.md lacks the claims-table markers"
pre, rest = readme.split(begin, 1)
_, post = rest.split(end, 1)
open("README.md", "w").write(pre + begin + "\n" + table + end + post)
PY

# The report's full page (the paper's settings), its markdown committed, then loaded and checked in
# headless Chromium by the browser test (every row a verdict and an evidence kind, none REDUCED,
# every image and link), which also writes docs/report.png.
step docs/report.md "$B" report --out "$WORK/report" > /dev/null
cp "$WORK/report/report.md" docs/report.md
if command -v chromium >/dev/null 2>&1; then
  s=$(date +%s.%N)
  LARGESTEP_REPORT_DIR="$WORK/report" LARGESTEP_REPORT_SCREENSHOT="$ROOT/docs/report.png" \
    cargo test --release --features deep --test cli report_browser::full_report -- --ignored > "$WORK/browser.txt" 2>&1 \
    || { cat "$WORK/browser.txt" >&2; echo "the full report page failed its browser check" >&2; exit 1; }
  e=$(date +%s.%N)
  printf '| docs/report.png | `LARGESTEP_REPORT_DIR=report cargo test --release --test cli report_browser::full_report -- --ignored` (the page checked in headless Chromium; its screenshot) | %.1f s |\n' "$(echo "$e - $s" | bc)" >> "$LOG"
else
  echo "| docs/report.png | NOT regenerated: chromium is not installed | |" >> "$LOG"
fi
# The reduced-scale deep protocol (issue 32): ~22 minutes on 2 cores, so only with REGEN_DEEP=1
# (and a binary built with --features deep, as above; DIR: CIFAR-10 as docs/deep-small.md says).
if [ "${REGEN_DEEP:-0}" = 1 ]; then
  DEEP_DATA=${DEEP_DATA:?set DEEP_DATA to a CIFAR-10 folder (docs/deep-small.md)}
  step docs/deep-small.png "$B" reproduce deep-cifar10-small --data "$DEEP_DATA" --out "$WORK/deep" > /dev/null
  cp "$WORK/deep/deep-cifar10-small/deep-small.png" docs/deep-small.png
else
  echo "| docs/deep-small.png | not regenerated by default (about 22 min): \`REGEN_DEEP=1 DEEP_DATA=DIR\` runs \`largestep reproduce deep-cifar10-small --data DIR\` (the committed figure: that command at f3c2816, docs/deep-small.md) | |" >> "$LOG"
fi
cp "$LOG" docs/ARTEFACTS.md
echo "docs regenerated at $COMMIT; see docs/ARTEFACTS.md"
