"""Writes the tokenizer benchmark's texts as JSON lines (one JSON string per line) into OUT_DIR:

- rows.jsonl: the `text` of benchmarks/generate_rows.py rows (~200 bytes of ASCII words, seed 1234);
- realtext.jsonl: ~200-byte texts of consecutive real English sentences from the shared sentence
  pool (man pages, Python docs, fortunes, Debian docs; 4% of sentences have non-ASCII characters);
- sentences.jsonl: every sentence of that pool once (187,210, 101 bytes on average), for the
  equality check at scale rather than for speed.

Usage: make_texts.py OUT_DIR N. Deterministic. Without the pool, realtext/sentences are skipped."""
import gzip
import json
import os
import subprocess
import sys

out_dir, n = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
rows_path = os.path.join(out_dir, "rows_raw.jsonl")
subprocess.run([sys.executable, os.path.join(here, "..", "generate_rows.py"), str(n), rows_path], check=True)
with open(rows_path, encoding="utf-8") as f, open(os.path.join(out_dir, "rows.jsonl"), "w", encoding="utf-8") as out:
    for line in f:
        out.write(json.dumps(json.loads(line)["text"], ensure_ascii=False) + "\n")
os.remove(rows_path)

pool_path = os.environ.get("TOKENIZER_BENCH_POOL",
                           os.path.join(here, "..", "..", "..", "shared", "data", "realtext", "sentence_pool.jsonl.gz"))
if not os.path.exists(pool_path):
    print(f"make_texts: no sentence pool at {pool_path}; rows only", file=sys.stderr)
    sys.exit(0)
with gzip.open(pool_path, "rt", encoding="utf-8") as f:
    docs = [json.loads(line)["sents"] for line in f]
with open(os.path.join(out_dir, "sentences.jsonl"), "w", encoding="utf-8") as out:
    for doc in docs:
        for sentence in doc:
            out.write(json.dumps(sentence, ensure_ascii=False) + "\n")
texts = []
for doc in docs:
    parts = []
    for sentence in doc:
        parts.append(sentence)
        if sum(len(p.encode()) + 1 for p in parts) >= 200:
            texts.append(" ".join(parts))
            parts = []
    if len(texts) >= n:
        break
with open(os.path.join(out_dir, "realtext.jsonl"), "w", encoding="utf-8") as out:
    for text in texts[:n]:
        out.write(json.dumps(text, ensure_ascii=False) + "\n")
print(f"make_texts: {n} rows, {min(n, len(texts))} realtext texts, "
      f"{sum(map(len, docs))} sentences", file=sys.stderr)
