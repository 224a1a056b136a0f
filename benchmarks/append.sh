#!/usr/bin/env bash
# Append (issue 15): a run over an input that grew by 1% at its end, in the checkpoint dir of a run
# over the input before it grew, against a fresh full run over the grown input; side by side in one
# run, interleaved, RUNS times (3). The 99% prefix is the first 99% of the lines of
# benchmarks/data/rows_N.jsonl (made with head), the grown input the whole file. The prefix run is
# made once per configuration; before each append its checkpoint dir and its output are copied back
# (the append changes both): the append starts where a user's would, from the previous run's files.
# The full run writes another output file and checkpoint dir; its output and snapshots are compared
# with the append's (cmp).
# Prints every run's wall and CPU (user+sys) seconds, then medians and the append's ratio to the full
# run. The target: append <= 5% of a full run. "outputs only": the output stage's wall seconds (the
# JSONL output and the audit log, from the --json summary), and the snapshots' CPU seconds (defaults
# less --snapshots none, medians) for the full run and the append.
# Configurations: the defaults but semantic dedup (the default MiniLM embeds ~230 rows/s: it cannot
# embed 1M rows here), and the same with --snapshots none.
#   benchmarks/append.sh [ROWS=1000000]
#   BIN=/path/to/entropyguard benchmarks/append.sh   (time another build; skips building)
#   EXTRA="--model-name all-MiniLM-L6-v2-static" benchmarks/append.sh   (flags added to every run)
# Needs: /usr/bin/time; builds the release binary unless BIN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${RUNS:-3}
if [ -z "${BIN:-}" ]; then
  swift build -c release --product entropyguard >&2
  BIN=$PWD/.build/release/entropyguard
fi
data=benchmarks/data; out=benchmarks/out/append
mkdir -p "$data" "$out"
grown="$data/rows_$n.jsonl"
[ -f "$grown" ] || python3 benchmarks/generate_rows.py "$n" "$grown"
old=$((n * 99 / 100))
head -n "$old" "$grown" > "$out/prefix.jsonl"

names=("defaults --no-semantic-dedup" "--no-semantic-dedup --snapshots none")
declare -a flags=("--no-semantic-dedup" "--no-semantic-dedup --snapshots none")
declare -A wall cpu outw
# run NAME FLAGS INPUT CHECKPOINTS OUTPUT: one timed run; its wall and CPU seconds in $e and $c, the
# output stage's seconds in $o and the records it kept from the previous output in $k.
# Each run starts with nothing waiting to be written back (sync): the copied checkpoint dir (~0.8 GB)
# was otherwise still dirty in the page cache, and the append's first fdatasync of the store waited
# 0.36 s for the copy's writeback, which no user's append has (strace -T).
run() {
  sync
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" -o "$out/time" "$BIN" --input "$3" --output "$5" --text-column text \
    --checkpoint-dir "$4" --quiet --json ${EXTRA:-} $2 > "$out/summary.json"
  read -r e u s < "$out/time"
  c=$(echo "$u + $s" | bc)
  read -r o k < <(python3 -c 'import json, sys; o = next(s for s in json.load(open(sys.argv[1]))["stages"] if s["name"] == "output"); print(o["seconds"], o["notes"].get("rows_copied", 0))' "$out/summary.json")
}
echo "== $n rows ($(du -mL "$grown" | cut -f1) MB), $old of them before the append; $runs runs of each, interleaved; ${EXTRA:-}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!names[@]}"; do
  rm -rf "$out/ck-prefix" "$out/input.jsonl"
  cp "$out/prefix.jsonl" "$out/input.jsonl"
  run "${names[$i]}" "${flags[$i]}" "$out/input.jsonl" "$out/ck-prefix" "$out/prefix-out.jsonl"
  printf '  %-40s prefix run  wall %6.2f s  cpu %6.2f s\n' "${names[$i]}" "$e" "$c"
  cp "$grown" "$out/input.jsonl"
  for r in $(seq "$runs"); do
    rm -rf "$out/ck-append"; cp -a "$out/ck-prefix" "$out/ck-append"; cp "$out/prefix-out.jsonl" "$out/append.jsonl"
    run "${names[$i]}" "${flags[$i]}" "$out/input.jsonl" "$out/ck-append" "$out/append.jsonl"
    wall[$i,append]+="$e "; cpu[$i,append]+="$c "; outw[$i,append]+="$o "
    printf '  run %d  %-40s append     wall %6.2f s  cpu %6.2f s  output stage %5.2f s  (%d records kept from the previous output)\n' "$r" "${names[$i]}" "$e" "$c" "$o" "$k"
    rm -rf "$out/ck-full"
    run "${names[$i]}" "${flags[$i]}" "$out/input.jsonl" "$out/ck-full" "$out/full.jsonl"
    wall[$i,full]+="$e "; cpu[$i,full]+="$c "; outw[$i,full]+="$o "
    printf '  run %d  %-40s full       wall %6.2f s  cpu %6.2f s  output stage %5.2f s\n' "$r" "${names[$i]}" "$e" "$c" "$o"
    cmp -s "$out/full.jsonl" "$out/append.jsonl" || { echo "the append's output differs from the full run's" >&2; exit 1; }
    for f in "$out"/ck-full/after_*.parquet; do
      [ -e "$f" ] || continue   # --snapshots none
      cmp -s "$f" "$out/ck-append/${f##*/}" || { echo "the append's ${f##*/} differs from the full run's" >&2; exit 1; }
    done
  done
done
rm -rf "$out/ck-append" "$out/ck-full" "$out/ck-prefix" "$out/prefix-out.jsonl" "$out/append.jsonl" "$out/full.jsonl"
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "| configuration | full wall | append wall | ratio | full CPU | append CPU | ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for i in "${!names[@]}"; do
  fw=$(echo "${wall[$i,full]}" | median); fc=$(echo "${cpu[$i,full]}" | median)
  aw=$(echo "${wall[$i,append]}" | median); ac=$(echo "${cpu[$i,append]}" | median)
  awk -v name="${names[$i]}" -v fw="$fw" -v fc="$fc" -v aw="$aw" -v ac="$ac" \
    'BEGIN { printf "| `%s` | %.2f s | %.2f s | %.1f%% | %.2f s | %.2f s | %.1f%% |\n", name, fw, aw, 100 * aw / fw, fc, ac, 100 * ac / fc }'
done
echo
echo "outputs only (medians):"
for i in "${!names[@]}"; do
  awk -v name="${names[$i]}" -v f="$(echo "${outw[$i,full]}" | median)" -v a="$(echo "${outw[$i,append]}" | median)" \
    'BEGIN { printf "  `%s` output stage (JSONL output + audit log) wall: full %.2f s, append %.2f s\n", name, f, a }'
done
awk -v f0="$(echo "${cpu[0,full]}" | median)" -v f1="$(echo "${cpu[1,full]}" | median)" \
    -v a0="$(echo "${cpu[0,append]}" | median)" -v a1="$(echo "${cpu[1,append]}" | median)" \
    'BEGIN { printf "  snapshots CPU (defaults less --snapshots none): full %.2f s, append %.2f s\n", f0 - f1, a0 - a1 }'
