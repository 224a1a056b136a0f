#!/usr/bin/env bash
# What checking the working store for damage would cost, next to a full and a repeated run of the core
# benchmark (ingest + validate + exact dedup + output, benchmarks/core.sh settings) in the same run:
# SQLite's quick_check and integrity_check, the counts StoreConsistency cross-checks with the
# checkpoints, and full scans of the two big tables. Each check runs in the sqlite3 shell on the
# finished store (warm page cache, as a repeated run finds it); the shell's own start is subtracted.
#   benchmarks/store_check.sh [ROWS]       (default: 1000000; RUNS=3 medians)
# Needs: release build (made here), sqlite3 shell (scripts/install-deps).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${RUNS:-3}
scripts/install-deps
swift build -c release >&2
data=benchmarks/data; out=benchmarks/out
mkdir -p "$data" "$out"
bin=.build/release/entropyguard
input="$data/rows_$n.jsonl"
[ -f "$input" ] || python3 benchmarks/generate_rows.py "$n" "$input"
args=(--input "$input" --text-column text --checkpoint-dir "$out/ck-check" --no-semantic-dedup --no-sanitize
      --snapshots none --min-length 10 --quiet)
db="$out/ck-check/entropyguard.sqlite"

names=(baseline counts quick_check quick_check_rows integrity_check scan_rows scan_row_content)
declare -A sql=(
  [baseline]="SELECT 1"
  [counts]="SELECT count(*) FROM rows; SELECT count(*) FROM rows INDEXED BY rows_chunks WHERE parent_row IS NOT NULL;
            SELECT dropped_by, drop_reason, count(*) FROM rows INDEXED BY rows_dropped WHERE dropped_by IS NOT NULL GROUP BY 1, 2;
            SELECT generation, row_count, dropped FROM checkpoints; SELECT value FROM meta WHERE key = 'ingest.next_row'"
  [quick_check]="PRAGMA quick_check"
  [quick_check_rows]="PRAGMA quick_check(rows)"
  [integrity_check]="PRAGMA integrity_check"
  [scan_rows]="SELECT count(*) FROM rows WHERE generation >= 6 AND born <= 6"
  [scan_row_content]="SELECT count(*) FROM row_content WHERE text_original IS NOT NULL"
)
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

declare -A times
full=(); rerun=()
for r in $(seq "$runs"); do
  rm -rf "$out/ck-check"
  full+=("$(seconds "$bin" "${args[@]}" --output "$out/check1.jsonl")")
  rerun+=("$(seconds "$bin" "${args[@]}" --output "$out/check2.jsonl")")
  for name in "${names[@]}"; do
    times[$name]+="$(seconds sqlite3 "$db" "${sql[$name]}") "
  done
done
ft=$(printf '%s\n' "${full[@]}" | median); rt=$(printf '%s\n' "${rerun[@]}" | median)
base=$(printf '%s\n' ${times[baseline]} | median)
echo "== $n rows, store $(du -m "$db" | cut -f1) MB, medians of $runs"
printf "  %-18s %7.3f s\n" "full run" "$ft"
printf "  %-18s %7.3f s  %5.1f%% of the full run\n" "repeated run" "$rt" "$(echo "100 * $rt / $ft" | bc -l)"
for name in "${names[@]:1}"; do
  t=$(printf '%s\n' ${times[$name]} | median)
  t=$(echo "x = $t - $base; if (x < 0) 0 else x" | bc -l)
  printf "  %-18s %7.3f s  %5.1f%% of the full run, %5.1f%% of the repeated run\n" "$name" "$t" \
    "$(echo "100 * $t / $ft" | bc -l)" "$(echo "100 * $t / $rt" | bc -l)"
done
