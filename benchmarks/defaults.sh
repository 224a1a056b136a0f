#!/usr/bin/env bash
# The default configuration against the benchmarked core one, side by side in one run: the four
# configurations below on the same generated rows (benchmarks/generate_rows.py), each with
# --no-semantic-dedup and a fresh checkpoint dir, interleaved, RUNS times (3). Prints every run's
# wall and CPU (user+sys) seconds, then a table of medians with each configuration's ratio to
# `--no-sanitize --snapshots none` (the README's core figure). The target: defaults <= 2x.
#   benchmarks/defaults.sh [ROWS=1000000]
#   BIN=/path/to/entropyguard benchmarks/defaults.sh   (time another build; skips building)
#   BASE=/path/to/other/entropyguard benchmarks/defaults.sh   (also time that build, interleaved with
#     this one in the same run: a table per build, each against its own core time)
#   EXTRA="--no-fuzzy-dedup" benchmarks/defaults.sh   (flags added to every configuration: issue 10's
#     target predates the fuzzy stage, which is on by default and costs both configurations the same)
# Needs: /usr/bin/time; builds the release binary unless BIN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${RUNS:-3}
if [ -z "${BIN:-}" ]; then
  swift build -c release --product entropyguard >&2
  BIN=$PWD/.build/release/entropyguard
fi
data=benchmarks/data; out=benchmarks/out/defaults
mkdir -p "$data" "$out"
input="$data/rows_$n.jsonl"
[ -f "$input" ] || python3 benchmarks/generate_rows.py "$n" "$input"

names=("defaults" "--no-pii" "--no-pii --snapshots none" "--no-sanitize --snapshots none")
declare -a flags=("" "--no-pii" "--no-pii --snapshots none" "--no-sanitize --snapshots none")
builds=("$BIN")
[ -n "${BASE:-}" ] && builds+=("$BASE")
declare -A wall cpu
echo "== $n rows ($(du -m "$input" | cut -f1) MB), $runs runs of each configuration, interleaved; every configuration with --no-semantic-dedup ${EXTRA:-}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$runs"); do
  for i in "${!names[@]}"; do
    for b in "${!builds[@]}"; do
      rm -rf "$out/ck"
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %U %S" -o "$out/time" "${builds[$b]}" --input "$input" --output "$out/out.jsonl" --text-column text \
        --checkpoint-dir "$out/ck" --no-semantic-dedup --quiet ${EXTRA:-} ${flags[$i]}
      read -r e u s < "$out/time"
      c=$(echo "$u + $s" | bc)
      wall[$b,$i]+="$e "
      cpu[$b,$i]+="$c "
      printf '  run %d  %-32s wall %6.2f s  cpu %6.2f s  (%d snapshot files, %d MB)  %s\n' "$r" "${names[$i]}" "$e" "$c" \
        "$(find "$out/ck" -name '*.parquet' | wc -l)" "$(du -smL "$out/ck" | cut -f1)" "${builds[$b]}"
    done
  done
done
rm -rf "$out/ck"
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for b in "${!builds[@]}"; do
  base_wall=$(echo "${wall[$b,3]}" | median); base_cpu=$(echo "${cpu[$b,3]}" | median)
  echo
  echo "${builds[$b]}:"
  echo "| configuration (all with --no-semantic-dedup --checkpoint-dir) | wall | ratio | CPU | ratio |"
  echo "| --- | --- | --- | --- | --- |"
  for i in "${!names[@]}"; do
    w=$(echo "${wall[$b,$i]}" | median); c=$(echo "${cpu[$b,$i]}" | median)
    awk -v name="${names[$i]}" -v w="$w" -v c="$c" -v bw="$base_wall" -v bc="$base_cpu" \
      'BEGIN { printf "| `%s` | %.2f s | %.2f× | %.2f s | %.2f× |\n", name, w, w / bw, c, c / bc }'
  done
done
