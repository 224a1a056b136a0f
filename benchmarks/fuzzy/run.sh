#!/usr/bin/env bash
# Fuzzy dedup's engine (the MinHash module) against datatrove's MinHash pipeline, side by side in one run.
#   benchmarks/fuzzy/run.sh [speed [ROWS=1000000]] [rss [ROWS…]] [realtext [SIZE=100000]] [quality [ARTICLES=4000]]
#                           [stage [ARTICLES=400]]
# With no argument: speed 1000000, rss 1000000 4000000, realtext 100000, quality 4000. `quality` also runs
# entropyguard's exact + fuzzy stages on its set; `stage` runs entropyguard's exact + fuzzy and exact +
# semantic stages (release build, MiniLM) on a smaller planted set (semantic dedup embeds ~230 rows/s).
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

# Installed and built on first need (the `stage` part needs neither).
need_datatrove() {
  if ! "$VENV/bin/python" -c "import datatrove, spacy, xxhash, orjson, regex, tokenizers" 2>/dev/null; then
    echo "run.sh: installing datatrove into $VENV" >&2
    python3 -m venv "$VENV"
    # xxhash 4 refuses str, which datatrove 0.10.1's minhash passes it: pin the last 3.x.
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check datatrove==0.10.1 spacy "xxhash==3.5.0" orjson regex tokenizers
  fi
}
BIN=""
need_bench() {
  [ -n "$BIN" ] && return
  echo "run.sh: building fuzzy-bench (release)" >&2
  swift build -c release --package-path benchmarks --product fuzzy-bench >&2
  BIN="$(swift build -c release --package-path benchmarks --show-bin-path)/fuzzy-bench"
}
EG=""
need_entropyguard() {
  [ -n "$EG" ] && return
  swift build -c release --product entropyguard >&2
  EG="$(swift build -c release --show-bin-path)/entropyguard"
}
# entropyguard DIR LABEL FLAGS…: the pipeline (no sanitize, as the texts are the planted ones) on DIR/rows.jsonl,
# its audit log as DIR/audit_LABEL.jsonl.
entropyguard() {
  local dir=$1 label=$2; shift 2
  need_entropyguard
  rm -rf "$TMP/eg-quality"
  "$EG" --input "$dir/rows.jsonl" --text-column text --output "$TMP/eg-quality/out.jsonl" --checkpoint-dir "$TMP/eg-quality/ck" \
    --no-sanitize --snapshots none --audit-log "$dir/audit_$label.jsonl" "$@" >&2
}
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
  need_bench
  for _ in 1 2 3; do "$BIN" "$dir/texts.bin" --threads "$THREADS" --tmp "$TMP" --pipelined --label "$label" "$@" 2>/dev/null | tee -a "$RESULTS"; done
}
theirs() { # theirs DIR LABEL BANDS ROWS
  need_datatrove
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
      need_bench
      for perms in 128 256; do
        "$BIN" "$OUT/quality/texts.bin" --threads "$THREADS" --tmp "$TMP" --perms "$perms" --label "quality_$perms" \
          --drops "$OUT/quality/drops_$perms.tsv" 2>/dev/null | tee -a "$RESULTS"
      done
      theirs "$OUT/quality" quality 9 13
      entropyguard "$OUT/quality" fuzzy --no-semantic-dedup   # the fuzzy_dedup stage itself, after exact dedup
      python3 "$BENCH/quality.py" evaluate "$OUT/quality" | tee -a "$RESULTS";;
    stage)
      # The three dedup stages of entropyguard on the same planted pairs: exact + fuzzy, and exact + semantic
      # (MiniLM, ~230 rows/s, so on a sample of ARTICLES articles, 400 by default), each with the other off.
      shift; articles=400; if num "${1:-}"; then articles=$1; shift; fi
      python3 "$BENCH/quality.py" make "$REALTEXT/sentence_pool.jsonl.gz" "$OUT/quality_sample" "$articles" >&2
      rm -f "$OUT"/quality_sample/audit_*.jsonl
      entropyguard "$OUT/quality_sample" fuzzy --no-semantic-dedup
      entropyguard "$OUT/quality_sample" semantic --no-fuzzy-dedup
      python3 "$BENCH/quality.py" evaluate "$OUT/quality_sample" | tee -a "$RESULTS";;
    *) echo "run.sh: unknown part '$1'" >&2; exit 2;;
  esac
done
