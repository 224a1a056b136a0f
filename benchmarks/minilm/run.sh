#!/usr/bin/env bash
# Throughput of our MiniLM embedder vs sentence-transformers, side by side in one run, on short
# sentences (~20 word pieces) and 256-word-piece paragraphs. Prints JSON lines and a summary.
#   benchmarks/minilm/run.sh [n_short=2000] [n_long=256] [repeats=3] [threads=2] [batch=32]
# Installs sentence-transformers (+ CPU torch from PyPI, several GB) into the git-ignored
# benchmarks/minilm/.venv-st on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
N_SHORT="${1:-2000}"; N_LONG="${2:-256}"; REPEATS="${3:-3}"; THREADS="${4:-2}"; BATCH="${5:-32}"
BENCH=benchmarks/minilm
OUT="$BENCH/out"; mkdir -p "$OUT"
VENV="$BENCH/.venv-st"

scripts/fetch-model
MODEL_DIR="${ENTROPYGUARD_HOME:-$HOME/.cache/entropyguard}/models/all-MiniLM-L6-v2"
if ! "$VENV/bin/python" -c "import sentence_transformers" 2>/dev/null; then
  echo "run.sh: installing sentence-transformers into $VENV (large download)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check sentence-transformers
fi

echo "run.sh: building minilm-bench (release)" >&2
swift build -c release --package-path benchmarks --product minilm-bench >&2
BIN="$(swift build -c release --package-path benchmarks --show-bin-path)/minilm-bench"

python3 "$BENCH/make_texts.py" "$OUT" "$N_SHORT" "$N_LONG"
: > "$OUT/results.jsonl"
for set in short long; do
  "$BIN" --texts "$OUT/$set.jsonl" --label "$set" --batch-size "$BATCH" --threads "$THREADS" \
    --repeats "$REPEATS" | tee -a "$OUT/results.jsonl"
  "$VENV/bin/python" "$BENCH/st_bench.py" "$OUT/$set.jsonl" "$MODEL_DIR" "$set" "$BATCH" "$THREADS" \
    "$REPEATS" 2>/dev/null | tee -a "$OUT/results.jsonl"
done
python3 - "$OUT/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for texts in ("short", "long"):
    ours = next(r for r in rows if r["texts"] == texts and r["impl"] == "swift-minilm")
    theirs = next(r for r in rows if r["texts"] == texts and r["impl"] == "sentence-transformers")
    a, b = ours["median_sentences_per_s"], theirs["median_sentences_per_s"]
    ca, cb = ours["median_sentences_per_cpu_s"], theirs["median_sentences_per_cpu_s"]
    print(f"{texts:5s}: swift {a:7.1f}/s  sentence-transformers {b:7.1f}/s  speed-up x{a / b:.2f}   "
          f"(per CPU-second: {ca:.1f} vs {cb:.1f}, x{ca / cb:.2f})")
PY
