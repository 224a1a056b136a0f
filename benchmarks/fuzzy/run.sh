#!/usr/bin/env bash
# Fuzzy dedup's engine (the MinHash module) against datatrove's MinHash pipeline, side by side in one run.
#   benchmarks/fuzzy/run.sh [speed [ROWS=1000000]] [rss [ROWS…]] [realtext [SIZE=100000]] [quality [ARTICLES=4000]]
# With no argument: speed 1000000, rss 1000000 4000000, realtext 100000, quality 4000. SEMANTIC=1 adds
# entropyguard's exact + semantic dedup (release build, MiniLM) on the quality set.
# Installs datatrove (+ spaCy, its default English word tokenizer) into the git-ignored
# benchmarks/.venv-dedup on first use. Results: JSON lines in benchmarks/fuzzy/out/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=benchmarks/fuzzy
OUT="$BENCH/out"; mkdir -p "$OUT" benchmarks/data
VENV=benchmarks/.venv-dedup
RESULTS="$OUT/results.jsonl"
THREADS="${THREADS:-2}"
REALTEXT=/work/shared/data/realtext

if ! "$VENV/bin/python" -c "import datatrove, spacy, xxhash, orjson, regex, tokenizers" 2>/dev/null; then
  echo "run.sh: installing datatrove into $VENV" >&2
  python3 -m venv "$VENV"
  # xxhash 4 refuses str, which datatrove 0.10.1's minhash passes it: pin the last 3.x.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check datatrove==0.10.1 spacy "xxhash==3.5.0" orjson regex tokenizers
fi
echo "run.sh: building fuzzy-bench (release)" >&2
swift build -c release --package-path benchmarks --product fuzzy-bench >&2
BIN="$(swift build -c release --package-path benchmarks --show-bin-path)/fuzzy-bench"
TMP="$OUT/tmp"; mkdir -p "$TMP"

# prepared NAME JSONL: texts.bin + 2 shards for datatrove, once.
prepared() {
  local dir="$OUT/$1"
  [ -f "$dir/texts.bin" ] || python3 "$BENCH/prepare.py" "$2" "$dir" 2 >&2
  echo "$dir"
}
generated() {
  local rows=$1 file="benchmarks/data/rows_$1.jsonl"
  [ -f "$file" ] || python3 benchmarks/generate_rows.py "$rows" "$file"
  prepared "gen_$rows" "$file"
}
ours() {   # ours DIR LABEL [extra args…]: 3 runs, pipelined
  local dir=$1 label=$2; shift 2
  for _ in 1 2 3; do "$BIN" "$dir/texts.bin" --threads "$THREADS" --tmp "$TMP" --pipelined --label "$label" "$@" 2>/dev/null | tee -a "$RESULTS"; done
}
theirs() { # theirs DIR LABEL BANDS ROWS
  "$VENV/bin/python" "$BENCH/datatrove_bench.py" "$1/shards" "$TMP/datatrove" "$3" "$4" --workers "$THREADS" \
    --removed "$1/datatrove_removed.txt" 2>"$TMP/datatrove.log" | python3 -c "import json,sys; r=json.load(sys.stdin); r['label']='$2'; print(json.dumps(r, sort_keys=True))" | tee -a "$RESULTS"
  rm -rf "$TMP/datatrove"
}
# side_by_side DIR LABEL: ours 3 times, datatrove with our banding for J 0.8 at 128 permutations (9 x 13,
# what LSHParameters chooses), ours 3 times again.
side_by_side() {
  ours "$1" "$2"
  theirs "$1" "$2" 9 13
  ours "$1" "$2"
}
realtext() {
  local size=$1 dir=benchmarks/data/realtext tag=$1
  (( size % 1000 == 0 )) && tag="$((size / 1000))k"      # make_data.py's file naming
  if [ ! -f "$dir/data/data_$tag.jsonl" ]; then
    mkdir -p "$dir/data"
    cp "$REALTEXT/make_data.py" "$dir/"
    gunzip -c "$REALTEXT/sentence_pool.jsonl.gz" > "$dir/data/sentence_pool.jsonl"
    (cd "$dir" && python3 make_data.py gen --sizes "$size" >&2)
  fi
  prepared "realtext_$size" "$dir/data/data_$tag.jsonl"
}

num() { [[ "$1" =~ ^[0-9]+$ ]]; }
[ $# -eq 0 ] && set -- speed 1000000 rss 1000000 4000000 realtext 100000 quality 4000
while [ $# -gt 0 ]; do
  case "$1" in
    speed)
      shift; rows=1000000; if num "${1:-}"; then rows=$1; shift; fi
      side_by_side "$(generated "$rows")" "speed_gen_$rows";;
    rss)
      shift
      while num "${1:-}"; do
        dir=$(generated "$1")
        "$BIN" "$dir/texts.bin" --threads "$THREADS" --tmp "$TMP" --pipelined --label "rss_gen_$1" 2>/dev/null | tee -a "$RESULTS"
        shift
      done;;
    realtext)
      shift; size=100000; if num "${1:-}"; then size=$1; shift; fi
      side_by_side "$(realtext "$size")" "realtext_$size";;
    quality)
      shift; articles=4000; if num "${1:-}"; then articles=$1; shift; fi
      python3 "$BENCH/quality.py" make "$REALTEXT/sentence_pool.jsonl.gz" "$OUT/quality" "$articles" >&2
      python3 "$BENCH/prepare.py" "$OUT/quality/rows.jsonl" "$OUT/quality" 2 >/dev/null
      for perms in 128 256; do
        "$BIN" "$OUT/quality/texts.bin" --threads "$THREADS" --tmp "$TMP" --perms "$perms" --label "quality_$perms" \
          --drops "$OUT/quality/drops_$perms.tsv" 2>/dev/null | tee -a "$RESULTS"
      done
      theirs "$OUT/quality" quality 9 13
      if [ "${SEMANTIC:-0}" = 1 ]; then   # what exact + semantic dedup catch of the same pairs (slow)
        swift build -c release --product entropyguard >&2
        rm -rf "$TMP/eg-quality"
        "$(swift build -c release --show-bin-path)/entropyguard" --input "$OUT/quality/rows.jsonl" --text-column text \
          --output "$TMP/eg-quality/out.jsonl" --checkpoint-dir "$TMP/eg-quality/ck" --no-sanitize --snapshots none \
          --audit-log "$OUT/quality/audit.jsonl" >&2
      fi
      python3 "$BENCH/quality.py" evaluate "$OUT/quality" | tee -a "$RESULTS";;
    *) echo "run.sh: unknown part '$1'" >&2; exit 2;;
  esac
done
