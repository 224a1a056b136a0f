#!/usr/bin/env bash
# Cost of Parquet snapshots: wall time of a full run (fresh checkpoint dir each time) with
# --snapshots all, dedup and none, interleaved, on N generated rows; prints each run and the medians.
# Usage: benchmarks/snapshots/run.sh [N=200000] [REPEATS=5]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-200000}
repeats=${2:-5}
swift build -c release --product entropyguard >/dev/null
bin=.build/release/entropyguard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benchmarks/generate_rows.py "$n" "$work/in.jsonl"
declare -A times
for r in $(seq "$repeats"); do
  for mode in all dedup none; do
    rm -rf "$work/ck"
    start=$(date +%s.%N)
    "$bin" --input "$work/in.jsonl" --output "$work/out.jsonl" --checkpoint-dir "$work/ck" --no-semantic-dedup --quiet --snapshots "$mode"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    times[$mode]+="$t "
    echo "run $r --snapshots $mode: ${t}s ($(ls "$work/ck" | grep -c parquet || true) files, $(find "$work/ck" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s+0}') bytes)"
  done
done
for mode in all dedup none; do
  median=$(echo "${times[$mode]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  echo "median --snapshots $mode: ${median}s  ($n rows, $repeats runs)"
done
