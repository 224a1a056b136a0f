#!/usr/bin/env bash
# Cost of Parquet snapshots: a full run (fresh checkpoint dir each time) with --snapshots all, dedup
# and none, interleaved, on N generated rows. Prints each run's wall and CPU (user+sys) seconds and
# the medians; CPU time is the steadier figure on a shared machine.
# Usage: benchmarks/snapshots/run.sh [N=200000] [REPEATS=5]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-200000}
repeats=${2:-5}
swift build -c release --product entropyguard >/dev/null
bin=$PWD/.build/release/entropyguard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benchmarks/generate_rows.py "$n" "$work/in.jsonl"
declare -A wall cpu
for r in $(seq "$repeats"); do
  for mode in all dedup none; do
    rm -rf "$work/ck"
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" --input "$work/in.jsonl" --output "$work/out.jsonl" \
      --checkpoint-dir "$work/ck" --no-semantic-dedup --quiet --snapshots "$mode"
    read -r e u s < "$work/time"
    c=$(echo "$u + $s" | bc)
    wall[$mode]+="$e "
    cpu[$mode]+="$c "
    files=$(find "$work/ck" -name '*.parquet' | wc -l)
    bytes=$(find "$work/ck" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    echo "run $r --snapshots $mode: wall ${e}s, cpu ${c}s ($files files, $bytes bytes)"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for mode in all dedup none; do
  echo "median --snapshots $mode: wall $(echo "${wall[$mode]}" | median)s, cpu $(echo "${cpu[$mode]}" | median)s  ($n rows, $repeats runs)"
done
