#!/usr/bin/env bash
# Core pipeline benchmark: ingest + validate + exact dedup + output, side by side with DuckDB doing the
# same keep-first dedup of the same file in the same run. Prints rows/s per stage, wall time, peak RSS.
#   benchmarks/core.sh [ROWS...]          (default: 1000000; e.g. benchmarks/core.sh 1000000 4000000)
# Needs: release build (made here), the project venv with duckdb (scripts/setup-venv), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000000}")
runs=${RUNS:-3}
scripts/install-deps && scripts/setup-venv
swift build -c release >&2
data=benchmarks/data; out=benchmarks/out
mkdir -p "$data" "$out"
bin=.build/release/entropyguard
py=.venv/bin/python

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for n in "${sizes[@]}"; do
  input="$data/rows_$n.jsonl"
  [ -f "$input" ] || python3 benchmarks/generate_rows.py "$n" "$input"
  echo "== $n rows ($(du -m "$input" | cut -f1) MB), $runs runs each, medians"
  eg_t=(); eg_m=(); rerun_t=(); duck_t=(); duck_m=()
  for r in $(seq "$runs"); do
    rm -rf "$out/ck"
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin" --input "$input" --output "$out/eg.jsonl" --text-column text \
      --checkpoint-dir "$out/ck" --no-semantic-dedup --no-sanitize --snapshots none --min-length 10 --quiet --json > "$out/summary.json"
    read -r t m < "$out/time"; eg_t+=("$t"); eg_m+=("$m")
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin" --input "$input" --output "$out/eg2.jsonl" --text-column text \
      --checkpoint-dir "$out/ck" --no-semantic-dedup --no-sanitize --snapshots none --min-length 10 --quiet
    read -r t m < "$out/time"; rerun_t+=("$t")
    cmp -s "$out/eg.jsonl" "$out/eg2.jsonl" || { echo "re-run output differs" >&2; exit 1; }
    /usr/bin/time -f "%e %M" -o "$out/time" "$py" benchmarks/duckdb_dedup.py "$input" "$out/duck.jsonl"
    read -r t m < "$out/time"; duck_t+=("$t"); duck_m+=("$m")
  done
  et=$(printf '%s\n' "${eg_t[@]}" | median); em=$(printf '%s\n' "${eg_m[@]}" | median)
  rt=$(printf '%s\n' "${rerun_t[@]}" | median)
  dt=$(printf '%s\n' "${duck_t[@]}" | median); dm=$(printf '%s\n' "${duck_m[@]}" | median)
  rows_out=$(wc -l < "$out/eg.jsonl"); duck_rows=$(wc -l < "$out/duck.jsonl")
  "$py" - "$out/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for st in s["stages"]:
    if st.get("seconds"):
        print(f"  {st['name']:<15} {st['rows_in']:>9} -> {st['rows_out']:>9}  {st['seconds']:6.2f} s  {st.get('rows_per_second', 0):>10,.0f} rows/s")
PY
  awk -v n="$n" -v et="$et" -v em="$em" -v rt="$rt" -v dt="$dt" -v dm="$dm" -v ro="$rows_out" -v dr="$duck_rows" 'BEGIN {
    printf "  entropyguard  %6.2f s  %9.0f rows/s  peak RSS %4.0f MB  rows out %d\n", et, n/et, em/1024, ro
    printf "  re-run        %6.2f s  (%.1f%% of the full run)\n", rt, 100*rt/et
    printf "  duckdb        %6.2f s  %9.0f rows/s  peak RSS %4.0f MB  rows out %d\n", dt, n/dt, dm/1024, dr
    printf "  ratio entropyguard/duckdb time %.2f\n", et/dt
  }'
done
