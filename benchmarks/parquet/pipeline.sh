#!/usr/bin/env bash
# Whole pipeline from Parquet input against the same pipeline from the JSONL equivalent, side by side
# in one run (interleaved), medians of the runs: wall, CPU (user+sys), peak RSS, and the ratio.
#   benchmarks/parquet/pipeline.sh [ROWS=1000000] [RUNS=3]
# Data: benchmarks/generate_rows.py (seeded JSONL: id, ~200-byte text, source, score; ~15% duplicates),
# and the same records written by pyarrow as Parquet (ZSTD, row groups of 100,000 rows), both cached in
# the git-ignored benchmarks/data. The pipeline: defaults (sanitize with PII masking, validate, exact
# dedup) with --no-semantic-dedup, JSONL output, no checkpoint dir (so no snapshots). Checks that both
# runs keep the same rows with the same texts.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}; runs=${2:-3}
swift build -c release --product entropyguard >&2
data=benchmarks/data; out=benchmarks/out/parquet-pipeline
mkdir -p "$data" "$out"
bin=.build/release/entropyguard
py=${ENTROPYGUARD_PYTHON:-.venv/bin/python}
jsonl="$data/rows_$n.jsonl"; parquet="$data/rows_$n.parquet"
[ -f "$jsonl" ] || python3 benchmarks/generate_rows.py "$n" "$jsonl"
[ -f "$parquet" ] || "$py" -c '
import sys, pyarrow.json as pj, pyarrow.parquet as pq
pq.write_table(pj.read_json(sys.argv[1]), sys.argv[2], compression="zstd", row_group_size=100_000)' "$jsonl" "$parquet"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A wall cpu rss
for r in $(seq "$runs"); do
  for kind in jsonl parquet; do
    input=$jsonl; [ "$kind" = parquet ] && input=$parquet
    /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$bin" --input "$input" --output "$out/$kind.jsonl" --text-column text \
      --no-semantic-dedup --quiet
    read -r e u s m < "$out/time"
    wall[$kind]+="$e "; cpu[$kind]+="$(awk -v u="$u" -v s="$s" 'BEGIN {print u+s}') "; rss[$kind]+="$m "
  done
done
"$py" - "$out/jsonl.jsonl" "$out/parquet.jsonl" <<'PY'
import json, sys
def kept(path):
    return [(r["id"], r["text"]) for r in map(json.loads, open(path, encoding="utf-8"))]
a, b = kept(sys.argv[1]), kept(sys.argv[2])
print(f"  kept rows: jsonl {len(a)}, parquet {len(b)}, same ids and texts: {a == b}")
if a != b: sys.exit(1)
PY
echo "== $n rows: jsonl $(du -m "$jsonl" | cut -f1) MB, parquet $(du -m "$parquet" | cut -f1) MB; $runs runs each, interleaved, medians"
for kind in jsonl parquet; do
  w=$(tr ' ' '\n' <<< "${wall[$kind]}" | grep . | median); c=$(tr ' ' '\n' <<< "${cpu[$kind]}" | grep . | median)
  m=$(tr ' ' '\n' <<< "${rss[$kind]}" | grep . | median)
  printf "  %-8s wall %6.2f s  cpu %6.2f s  peak RSS %5.0f MB\n" "$kind" "$w" "$c" "$(awk -v m="$m" 'BEGIN {print m/1024}')"
  eval "w_$kind=$w; c_$kind=$c"
done
awk -v a="$w_parquet" -v b="$w_jsonl" -v c="$c_parquet" -v d="$c_jsonl" 'BEGIN {
  printf "  parquet/jsonl: wall %.2fx, cpu %.2fx (target <= 1.2)\n", a/b, c/d }'
