#!/usr/bin/env bash
# The report on a big store: its size and the time `entropyguard report` takes (median of RUNS), next
# to the run that made the store. The store is made once with every stage on, semantic dedup with the
# static model (MiniLM itself would take hours at 1M rows; the report's cost does not depend on the
# model: it reads scores, not vectors) and kept in benchmarks/out/report-ck for later runs.
#   benchmarks/report.sh [ROWS]          (default: 1000000; RUNS=3; FRESH=1 remakes the store)
# Needs: release build (made here unless BIN is set), scripts/fetch-model (the static model).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${RUNS:-3}
if [ -z "${BIN:-}" ]; then
  swift build -c release --product entropyguard >&2
  BIN=$PWD/.build/release/entropyguard
fi
data=benchmarks/data; out=benchmarks/out/report
mkdir -p "$data" "$out"
input="$data/rows_$n.jsonl"
[ -f "$input" ] || python3 benchmarks/generate_rows.py "$n" "$input"
ck="$out/ck-$n"
if [ -n "${FRESH:-}" ] || [ ! -f "$ck/entropyguard.sqlite" ]; then
  rm -rf "$ck"
  /usr/bin/time -f "%e %M" -o "$out/time" "$BIN" --input "$input" --output "$out/out.jsonl" --text-column text \
    --checkpoint-dir "$ck" --model-name all-MiniLM-L6-v2-static --snapshots none --min-length 40 --quiet
  read -r e m < "$out/time"
  echo "store: $n rows, run with every stage (static model) in $e s, peak RSS $((m / 1024)) MB"
fi
times=()
for r in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$out/time" "$BIN" report --checkpoint-dir "$ck" --output "$out/report.html" > /dev/null
  read -r e m < "$out/time"
  times+=("$e")
  echo "report run $r: $e s, peak RSS $((m / 1024)) MB"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "report: $(stat -c %s "$out/report.html") bytes ($(( $(stat -c %s "$out/report.html") / 1024 )) KiB), median $median s over $runs runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
