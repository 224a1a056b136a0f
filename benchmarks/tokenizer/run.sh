#!/usr/bin/env bash
# WordPiece tokenization speed: our byte tokenizer against the scalar one it replaced and HuggingFace
# tokenizers, side by side in one run on the same ~200-byte texts, after checking all three give the
# same ids. Prints JSON lines (out/results.jsonl) and a summary table.
#   benchmarks/tokenizer/run.sh [n_texts=20000] [repeats=5]
# Installs `tokenizers` (a ~3 MB wheel) into the git-ignored benchmarks/tokenizer/.venv-tok on first use;
# without network it runs without the HF rows.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"; REPEATS="${2:-5}"
BENCH=benchmarks/tokenizer
OUT="$BENCH/out"; mkdir -p "$OUT"
VENV="$BENCH/.venv-tok"

scripts/fetch-model
VOCAB="${ENTROPYGUARD_HOME:-$HOME/.cache/entropyguard}/models/all-MiniLM-L6-v2/vocab.txt"
if ! "$VENV/bin/python" -c "import tokenizers" 2>/dev/null; then
  echo "run.sh: installing tokenizers into $VENV" >&2
  { python3 -m venv "$VENV" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check tokenizers; } >&2 \
    || echo "run.sh: could not install tokenizers; HF rows skipped" >&2
fi

echo "run.sh: building tokenizer-bench (release)" >&2
swift build -c release --package-path benchmarks --product tokenizer-bench >&2
BIN="$(swift build -c release --package-path benchmarks --show-bin-path)/tokenizer-bench"

python3 "$BENCH/make_texts.py" "$OUT" "$N"
: > "$OUT/results.jsonl"
# The whole sentence pool (187k texts) for the equality checks only.
sets=(rows); [ -f "$OUT/realtext.jsonl" ] && sets+=(realtext)
checks=("${sets[@]}"); [ -f "$OUT/sentences.jsonl" ] && checks+=(sentences)
for set in "${checks[@]}"; do
  timed=no; [[ " ${sets[*]} " == *" $set "* ]] && timed=yes
  "$BIN" --vocab "$VOCAB" --texts "$OUT/$set.jsonl" --label "$set" --repeats "$REPEATS" --timed "$timed" \
    --ids-out "$OUT/$set.ids" | tee -a "$OUT/results.jsonl"
  if "$VENV/bin/python" -c "import tokenizers" 2>/dev/null; then
    if [ "$timed" = yes ]; then
      TOKENIZERS_PARALLELISM=false "$VENV/bin/python" "$BENCH/hf_bench.py" "$OUT/$set.jsonl" "$VOCAB" "$set" \
        "$REPEATS" 1 "$OUT/$set.ids" | tee -a "$OUT/results.jsonl"
      RAYON_NUM_THREADS=2 TOKENIZERS_PARALLELISM=true "$VENV/bin/python" "$BENCH/hf_bench.py" "$OUT/$set.jsonl" \
        "$VOCAB" "$set" "$REPEATS" 2 | grep -v '"check"' | tee -a "$OUT/results.jsonl"
    else
      TOKENIZERS_PARALLELISM=false "$VENV/bin/python" "$BENCH/hf_bench.py" "$OUT/$set.jsonl" "$VOCAB" "$set" \
        0 1 "$OUT/$set.ids" | tee -a "$OUT/results.jsonl"
    fi
  fi
done
python3 - "$OUT/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    if "check" in r:
        print(f"check {r['texts']:9s} {r['check']}: {r['mismatches']} of {r['n']} texts differ")
for texts in dict.fromkeys(r["texts"] for r in rows if "impl" in r):
    timed = [r for r in rows if r.get("texts") == texts and "impl" in r]
    old = next(r for r in timed if r["impl"].startswith("swift-scalar"))["median_texts_per_s"]
    old_cpu = next(r for r in timed if r["impl"].startswith("swift-scalar"))["median_texts_per_cpu_s"]
    print(f"{texts} ({timed[0]['mean_bytes']} bytes, {timed[0]['mean_tokens']} ids a text), medians:")
    print(f"  {'':34s} {'':9s} {'texts/s':>9s} {'M ids/s':>8s} {'vs old':>7s}  {'texts/CPU-s':>11s} {'vs old':>7s}")
    for r in timed:
        print(f"  {r['impl']:34s} {r['threads']} thread{'s' if r['threads'] > 1 else ' '} {r['median_texts_per_s']:>9,} "
              f"{r['median_tokens_per_s'] / 1e6:8.2f} {r['median_texts_per_s'] / old:6.1f}x  "
              f"{r['median_texts_per_cpu_s']:>11,} {r['median_texts_per_cpu_s'] / old_cpu:6.1f}x")
PY
