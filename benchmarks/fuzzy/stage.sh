#!/usr/bin/env bash
# The fuzzy_dedup stage in the whole pipeline: the same generated rows (benchmarks/generate_rows.py)
# with and without --no-fuzzy-dedup, with the default snapshots and with --snapshots none, each with
# --no-semantic-dedup (at ~230 rows/s it would take an hour) and a fresh checkpoint dir, interleaved,
# RUNS times (1). Prints each run's wall, CPU (user+sys), peak RSS (/usr/bin/time -v) and the fuzzy
# stage's own seconds and rows/s from the --json summary; then, per snapshot setting, the stage's
# rows per CPU-second from the CPU the run with it spends beyond the run without it (medians).
#   benchmarks/fuzzy/stage.sh [ROWS=1000000]
#   BIN=/path/to/entropyguard benchmarks/fuzzy/stage.sh   (time another build; skips building)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
runs=${RUNS:-1}
if [ -z "${BIN:-}" ]; then
  swift build -c release --product entropyguard >&2
  BIN=$PWD/.build/release/entropyguard
fi
data=benchmarks/data; out=benchmarks/fuzzy/out/stage
mkdir -p "$data" "$out"
input="$data/rows_$n.jsonl"
[ -f "$input" ] || python3 benchmarks/generate_rows.py "$n" "$input"

names=("defaults" "defaults --no-fuzzy-dedup" "--snapshots none" "--snapshots none --no-fuzzy-dedup")
flags=("" "--no-fuzzy-dedup" "--snapshots none" "--snapshots none --no-fuzzy-dedup")
declare -A cpu
echo "== $n rows, $runs run(s) of each configuration, interleaved; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$runs"); do
  for i in "${!names[@]}"; do
    rm -rf "$out/ck"
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$out/time" "$BIN" --input "$input" --output "$out/out.jsonl" --text-column text \
      --checkpoint-dir "$out/ck" --no-semantic-dedup --quiet --json ${flags[$i]} > "$out/summary.json"
    wall=$(awk -F': ' '/Elapsed/ { n = split($2, t, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + t[k]; print s }' "$out/time")
    c=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$out/time")
    rss=$(awk -F': ' '/Maximum resident/ { printf "%d", $2 / 1024 }' "$out/time")
    cpu[$i]+="$c "
    stage=$(python3 -c '
import json, sys
s = next(s for s in json.load(open(sys.argv[1]))["stages"] if s["name"] == "fuzzy_dedup")
print("fuzzy_dedup %s: %d rows, %s s, %s rows/s, dropped %s, notes %s" % (s["status"], s["rows_in"], round(s.get("seconds") or 0, 2),
      round(s.get("rows_per_second") or 0), s["dropped"], s["notes"]))' "$out/summary.json")
    printf '  run %d  %-36s wall %6.2f s  cpu %6.2f s  peak RSS %4d MB  %s\n' "$r" "${names[$i]}" "$wall" "$c" "$rss" "$stage"
  done
done
rm -rf "$out/ck"
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rows=$(python3 -c 'import json,sys; print(next(s for s in json.load(open(sys.argv[1]))["stages"] if s["name"] == "fuzzy_dedup")["rows_in"])' "$out/summary.json")
for pair in "0 1" "2 3"; do
  read -r on off <<< "$pair"
  awk -v name="${names[$on]}" -v a="$(echo "${cpu[$on]}" | median)" -v b="$(echo "${cpu[$off]}" | median)" -v rows="$rows" \
    'BEGIN { printf "%s: the stage costs %.2f CPU-s for %d rows, %.0f rows per CPU-second\n", name, a - b, rows, rows / (a - b) }'
done
