#!/usr/bin/env bash
# --reference: deduplicating N new rows against an R-row reference whose run already embedded and
# signed it, side by side with the same N rows alone (the new rows' own cost), medians of 3, fresh
# checkpoint dirs each time (the new rows are embedded and signed every time; the reference never).
# Semantic dedup uses the static model (MiniLM embeds ~230 rows/s here: an R-row reference would take
# hours to make). Rows from generate_rows.py: the new rows are the rows after the first R of one
# R+N-row file, so ~10% of them copy an earlier text, of the reference or of the new rows.
#   benchmarks/reference.sh [R] [N]     (default 200000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
r=${1:-200000}; n=${2:-10000}
bin=${BIN:-.build/release/entropyguard}
[ -x "$bin" ] || swift build -c release --product entropyguard >&2
work=benchmarks/out/reference_${r}_${n}; mkdir -p "$work"
python3 benchmarks/generate_rows.py $((r + n)) "$work/all.jsonl" >&2
head -n "$r" "$work/all.jsonl" > "$work/ref.jsonl"
tail -n "$n" "$work/all.jsonl" > "$work/new.jsonl"
flags=(--text-column text --model-name all-MiniLM-L6-v2-static --snapshots none --quiet --json)
if [ ! -f "$work/refck/entropyguard.sqlite" ]; then
  /usr/bin/time -f "%e" -o "$work/ref.time" "$bin" --input "$work/ref.jsonl" --output "$work/ref-out.jsonl" \
    --checkpoint-dir "$work/refck" "${flags[@]}" > /dev/null
  echo "reference's own run ($r rows): $(cat "$work/ref.time") s"
fi
run() {  # name, extra flags...: wall seconds and peak RSS of one run in a fresh checkpoint dir
  local name=$1; shift
  rm -rf "$work/ck-$name"
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$bin" --input "$work/new.jsonl" --output "$work/out-$name.jsonl" \
    --checkpoint-dir "$work/ck-$name" --audit-log "$work/audit-$name.jsonl" "${flags[@]}" "$@" > "$work/$name.json"
  cat "$work/$name.time"
}
declare -A wall rss
for round in 1 2 3; do
  for name in alone reference; do
    if [ $name = reference ]; then set -- --reference "$work/refck"; else set --; fi
    read -r w m < <(run $name "$@")
    wall[$name]+="$w "; rss[$name]+="$m "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
for name in alone reference; do
  echo "$name: wall $(echo ${wall[$name]} | median) s (runs: ${wall[$name]}), peak RSS $(echo ${rss[$name]} | median) KB," \
       "dropped $(wc -l < "$work/audit-$name.jsonl") of $n, of which ref:<row> $(grep -c '"ref:' "$work/audit-$name.jsonl" || true)"
done
