#!/usr/bin/env bash
# The static model (entropyguard distill, issue 13) against MiniLM, side by side in one run.
#   benchmarks/static/run.sh [all|speed|semantic|quality|parity] [ROWS=1000000] [REALTEXT_SIZE=100000]
#   speed     static-bench: texts/s of the static model and of MiniLM on the same ~200-byte real texts,
#             medians of 3 interleaved runs, and the static model's tokenization alone (its share).
#   semantic  the pipeline with --model-name all-MiniLM-L6-v2-static on ROWS rows of real text
#             (make_rows.py; --no-sanitize --snapshots none): semantic stage rows/s, peak RSS.
#   quality   the real-text set (../shared/data/realtext): recall per planted kind and false drops,
#             MiniLM at 0.95 and the static model at several thresholds (curve.py).
#   parity    model2vec's own distill of the same local model (git-ignored benchmarks/.venv-model2vec)
#             against ours: Spearman of the pairwise cosines of the 204 reference sentences; the two
#             distillations' times; ours distilled twice (byte-identical?).
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT="${1:-all}"; ROWS="${2:-1000000}"; REALTEXT_SIZE="${3:-100000}"
BENCH=benchmarks/static; OUT="$BENCH/out"; mkdir -p "$OUT" benchmarks/data
SHARED=${SHARED:-../shared/data/realtext}
scripts/install-deps && scripts/setup-venv && scripts/fetch-model
swift build -c release --product entropyguard >&2
EG=.build/release/entropyguard
MODELS="${ENTROPYGUARD_HOME:-$HOME/.cache/entropyguard}/models"
want() { [ "$WHAT" = all ] || [ "$WHAT" = "$1" ]; }

if want speed; then
  echo "== embedding speed: static vs MiniLM, same texts"
  swift build -c release --package-path benchmarks --product static-bench >&2
  BIN="$(swift build -c release --package-path benchmarks --show-bin-path)/static-bench"
  [ -f "$OUT/texts_100k.jsonl" ] || python3 "$BENCH/make_rows.py" 100000 "$OUT/texts_100k.jsonl" --texts-only --pool "$SHARED/sentence_pool.jsonl.gz"
  "$BIN" --texts "$OUT/texts_100k.jsonl" --minilm-texts 1000 --threads 2 --repeats 3 | tee "$OUT/speed.jsonl"
fi

if want semantic; then
  echo "== semantic stage with the static model at $ROWS rows"
  data="benchmarks/data/static_rows_$ROWS.jsonl"
  [ -f "$data" ] || python3 "$BENCH/make_rows.py" "$ROWS" "$data" --pool "$SHARED/sentence_pool.jsonl.gz"
  run="$OUT/semantic_$ROWS"; rm -rf "$run"; mkdir -p "$run"
  /usr/bin/time -f "%e s wall, %U s user, %S s sys, peak RSS %M KB" -o "$run/time" "$EG" --input "$data" \
    --output "$run/cleaned.jsonl" --text-column text --checkpoint-dir "$run/ck" --no-sanitize --snapshots none \
    --model-name all-MiniLM-L6-v2-static --quiet --json > "$run/summary.json"
  cat "$run/time"
  python3 - "$run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"rows in {s['rows_in']}, rows out {s['rows_out']}, whole run {s['seconds']:.1f} s")
for st in s["stages"]:
    if st.get("seconds"):
        print(f"  {st['name']:<15} {st['rows_in']:>8} -> {st['rows_out']:>8}  {st['seconds']:7.2f} s  {st['rows_in'] / st['seconds']:>10.0f} rows/s  {st.get('notes', {})}")
PY
fi

if want quality; then
  echo "== quality on the real-text set ($REALTEXT_SIZE rows)"
  work=benchmarks/data/realtext; mkdir -p "$work/data"
  [ -f "$work/make_data.py" ] || cp "$SHARED/make_data.py" "$work/"
  [ -f "$work/data/sentence_pool.jsonl" ] || gunzip -c "$SHARED/sentence_pool.jsonl.gz" > "$work/data/sentence_pool.jsonl"
  tag=$((REALTEXT_SIZE / 1000))k
  [ -f "$work/data/data_$tag.jsonl" ] || python3 "$work/make_data.py" gen --sizes "$REALTEXT_SIZE" >&2
  q="$OUT/quality_$tag"; mkdir -p "$q"
  runs=()
  run_model() {   # label model threshold
    /usr/bin/time -f "$1: %e s wall, peak RSS %M KB" -a -o "$q/times" "$EG" --input "$work/data/data_$tag.jsonl" \
      --output "$q/$1.jsonl" --text-column text --checkpoint-dir "$q/ck-$2" --audit-log "$q/$1-audit.jsonl" \
      --snapshots none --model-name "$2" --dedup-threshold "$3" --quiet --json > "$q/$1-summary.json"
    runs+=("$1=$q/$1-audit.jsonl")
  }
  : > "$q/times"
  run_model minilm-0.95 all-MiniLM-L6-v2 0.95
  for t in 0.80 0.85 0.88 0.90 0.92 0.94 0.95 0.97; do run_model "static-$t" all-MiniLM-L6-v2-static "$t"; done
  cat "$q/times"
  .venv/bin/python "$BENCH/curve.py" "$work/data/truth_$tag.jsonl" "${runs[@]}" | tee "$q/curve.txt"
fi

if want parity; then
  echo "== parity with model2vec's distill"
  VENV=benchmarks/.venv-model2vec
  if ! "$VENV/bin/python" -c "import model2vec.distill, sklearn, scipy" 2>/dev/null; then
    echo "run.sh: installing model2vec[distill] with CPU torch into $VENV" >&2
    python3 -m venv "$VENV"
    # CPU torch: a local wheel in pip's find-links (PIP_FIND_LINKS) or the PyTorch CPU index.
    "$VENV/bin/pip" install -q torch --extra-index-url https://download.pytorch.org/whl/cpu
    "$VENV/bin/pip" install -q "model2vec[distill]" scikit-learn scipy
  fi
  for n in 1 2; do
    /usr/bin/time -f "ours ($n): %e s wall, %U s user" -a -o "$OUT/distill_times" "$EG" distill --name "$PWD/$OUT/distill-$n" --force --quiet
  done
  cat "$OUT/distill_times"; rm -f "$OUT/distill_times"
  cmp "$OUT/distill-1/model.safetensors" "$OUT/distill-2/model.safetensors" && echo "ours: two distillations byte-identical"
  cmp "$OUT/distill-1/model.safetensors" "$MODELS/all-MiniLM-L6-v2-static/model.safetensors" \
    && echo "ours: identical to the installed all-MiniLM-L6-v2-static (made by scripts/fetch-model)"
  sentences=Tests/MiniLMTests/Fixtures/sentences.jsonl
  "$EG" embed --input "$sentences" --text-column text --output "$OUT/ours_204.npy" --model-name "$PWD/$OUT/distill-1" --quiet
  HF_HUB_OFFLINE=1 "$VENV/bin/python" "$BENCH/parity.py" "$MODELS/all-MiniLM-L6-v2" "$sentences" "$OUT/ours_204.npy" \
    Tests/MiniLMTests/Fixtures/embeddings.npy "$OUT/model2vec-distilled" 2>/dev/null | tee "$OUT/parity.json"
fi
