#!/usr/bin/env bash
# The fuzzy_dedup stage on its own, for one or more builds side by side: a store is taken through
# exact dedup once per row count (`--no-fuzzy-dedup --no-semantic-dedup --snapshots none`, by the
# first build) and copied before every timed run, which then resumes after exact_dedup and runs only
# fuzzy_dedup (and the output). The builds run interleaved, RUNS times (3), each round also with a
# `base` run of the first build with --no-fuzzy-dedup (the same process without the stage: input
# hash, output). Prints each run's process wall, CPU (user+sys) and peak RSS (/usr/bin/time -v), the
# stage's own seconds and rows/s from the --json summary, then per build the medians, the ratios to
# the first build, and the stage's CPU-seconds (process CPU minus the base run's), far less disturbed
# by other jobs on a shared machine than wall time: half of it is the stage's wall time on an idle
# 2-core machine if both cores were busy throughout (a lower bound).
#   benchmarks/fuzzy/stage_only.sh [ROWS...]                 (default 1000000; this worktree's release build)
#   BINS="main=/work/main/.build/release/entropyguard new=.build/release/entropyguard" benchmarks/fuzzy/stage_only.sh 1000000 4000000
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- 1000000
runs=${RUNS:-3}
if [ -z "${BINS:-}" ]; then
  swift build -c release --product entropyguard >&2
  BINS="this=$PWD/.build/release/entropyguard"
fi
read -r -a bins <<< "$BINS"
data=benchmarks/data
mkdir -p "$data"
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for n in "$@"; do
  input="$data/rows_$n.jsonl"
  out=benchmarks/fuzzy/out/stage_only/$n
  mkdir -p "$out"
  [ -f "$input" ] || python3 benchmarks/generate_rows.py "$n" "$input"
  first=${bins[0]#*=}
  rm -rf "$out/template"
  "$first" --input "$input" --output "$out/out.jsonl" --text-column text --checkpoint-dir "$out/template" \
    --no-semantic-dedup --no-fuzzy-dedup --snapshots none --quiet > /dev/null
  declare -A wall=() cpu=() rss=() stage=() rate=()
  base_cpu=""
  echo "== $n rows, $runs run(s) per build, interleaved; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in $(seq "$runs"); do
    rm -rf "$out/ck"; cp -r "$out/template" "$out/ck"
    /usr/bin/time -v -o "$out/time" "$first" --input "$input" --output "$out/out.jsonl" --text-column text \
      --checkpoint-dir "$out/ck" --no-semantic-dedup --no-fuzzy-dedup --snapshots none --quiet > /dev/null
    c=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$out/time")
    base_cpu+="$c "
    printf '  run %d base   process cpu %6.2f s (--no-fuzzy-dedup: input hash, output)\n' "$r" "$c"
    for entry in "${bins[@]}"; do
      name=${entry%%=*}; bin=${entry#*=}
      rm -rf "$out/ck"; cp -r "$out/template" "$out/ck"
      /usr/bin/time -v -o "$out/time" "$bin" --input "$input" --output "$out/out.jsonl" --text-column text \
        --checkpoint-dir "$out/ck" --no-semantic-dedup --snapshots none --quiet --json > "$out/summary.json"
      w=$(awk -F': ' '/Elapsed/ { n = split($2, t, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + t[k]; print s }' "$out/time")
      c=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$out/time")
      m=$(awk -F': ' '/Maximum resident/ { printf "%d", $2 / 1024 }' "$out/time")
      read -r s v rows dropped notes < <(python3 -c '
import json, sys
s = next(s for s in json.load(open(sys.argv[1]))["stages"] if s["name"] == "fuzzy_dedup")
assert s["status"] != "resumed", "fuzzy_dedup did not run"
print("%.2f %.0f %d %d %s" % (s.get("seconds") or 0, s.get("rows_per_second") or 0, s["rows_in"], sum(s["dropped"].values()),
      json.dumps(s["notes"], separators=(",", ":"))))' "$out/summary.json")
      wall[$name]+="$w "; cpu[$name]+="$c "; rss[$name]+="$m "; stage[$name]+="$s "; rate[$name]+="$v "
      printf '  run %d %-6s process wall %6.2f s  cpu %6.2f s  peak RSS %4d MB | fuzzy_dedup %6.2f s  %7d rows/s  (%d rows in, %d dropped) %s  load %s\n' \
        "$r" "$name" "$w" "$c" "$m" "$s" "$v" "$rows" "$dropped" "$notes" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  base=${bins[0]%%=*}
  b_stage=$(echo "${stage[$base]}" | median); b_cpu=$(echo "${cpu[$base]}" | median); nofuzzy=$(echo "$base_cpu" | median)
  for entry in "${bins[@]}"; do
    name=${entry%%=*}
    awk -v name="$name" -v s="$(echo "${stage[$name]}" | median)" -v v="$(echo "${rate[$name]}" | median)" \
      -v c="$(echo "${cpu[$name]}" | median)" -v m="$(echo "${rss[$name]}" | median)" -v bs="$b_stage" -v bc="$b_cpu" -v rows="$rows" -v n="$n" -v o="$nofuzzy" \
      'BEGIN { printf "%s, %d rows (%d into the stage), medians: stage %.2f s wall, %.0f rows/s (%.2fx the first build); process CPU %.2f s (%.2fx); the stage %.2f CPU-s (%.2f per 1M stage rows, %.0f rows per CPU-second, so at most %.0f rows/s on 2 idle cores, reached if both stay busy); peak RSS %d MB\n",
               name, n, rows, s, v, bs / s, c, c / bc, c - o, (c - o) * 1e6 / rows, rows / (c - o), 2 * rows / (c - o), m }'
  done
  unset wall cpu rss stage rate
  rm -rf "$out/ck" "$out/template"
done
