#!/usr/bin/env bash
# compare-outputs.sh BIN_A BIN_B: runs `reproduce all`, `reproduce fig2 --seeds 3`, a quick diagonal
# sde-vs-sgd and `verify --quick` with both binaries in a scratch folder and lists what differs
# (run.json and the console lines differ by their timings; every CSV, SVG, PNG and TOML should not).
set -u
A=$(realpath "$1"); B=$(realpath "$2"); W=$(mktemp -d)
for x in a b; do
  bin=$A; [ $x = b ] && bin=$B
  mkdir -p "$W/$x" && cd "$W/$x"
  "$bin" reproduce all --out r > all.txt 2>&1
  "$bin" reproduce fig2 --seeds 3 --out s > s.txt 2>&1
  "$bin" sde-vs-sgd --model diagonal --quick --seeds 2 --out sde > sde.txt 2>&1
  "$bin" verify --quick --out v --json > verify.json 2>/dev/null
done
cd "$W"
diff -r a b -x '*.json' -q
echo "--- JSON files that differ (run.json: argv and times; verify.json: seconds and prose):"
for f in $(cd a && find . -name '*.json'); do
  cmp -s "a/$f" "b/$f" || echo "differs: $f"
done
echo "outputs kept in $W"
