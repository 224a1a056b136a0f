#!/usr/bin/env bash
# End to end on the real-text benchmark set (../shared/data/realtext: real sentences with planted exact,
# near-exact and paraphrased duplicates, with ground truth): rows/s per stage, peak RSS, and duplicates
# caught per planted kind.   benchmarks/semantic.sh [SIZE...]   (default 100000; 10000 for a quick look)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000}")
shared=${SHARED:-../shared/data/realtext}
work=benchmarks/data/realtext
scripts/install-deps && scripts/setup-venv && scripts/fetch-model
swift build -c release --product entropyguard >&2
mkdir -p "$work/data" benchmarks/out
[ -f "$work/make_data.py" ] || cp "$shared/make_data.py" "$work/"
[ -f "$work/data/sentence_pool.jsonl" ] || gunzip -c "$shared/sentence_pool.jsonl.gz" > "$work/data/sentence_pool.jsonl"
for n in "${sizes[@]}"; do
  tag=$((n / 1000))k
  [ -f "$work/data/data_$tag.jsonl" ] || python3 "$work/make_data.py" gen --sizes "$n" >&2
  out=benchmarks/out/semantic_$tag; rm -rf "$out"; mkdir -p "$out"
  echo "== realtext $tag"
  /usr/bin/time -f "%e s wall, peak RSS %M KB" -o "$out/time" .build/release/entropyguard --input "$work/data/data_$tag.jsonl" \
    --output "$out/cleaned.jsonl" --text-column text --checkpoint-dir "$out/ck" --audit-log "$out/audit.jsonl" \
    --snapshots none --quiet --json > "$out/summary.json"
  cat "$out/time"
  .venv/bin/python benchmarks/realtext_eval.py "$work/data/truth_$tag.jsonl" "$out/audit.jsonl" "$out/summary.json"
done
