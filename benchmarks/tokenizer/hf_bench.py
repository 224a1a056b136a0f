"""HuggingFace `tokenizers` (Rust) on the same texts as tokenizer-bench: BertWordPieceTokenizer with the
model's vocab.txt, lowercase, truncation to 256, as sentence-transformers tokenizes for all-MiniLM-L6-v2.
Times `encode_batch` (threads from the environment: TOKENIZERS_PARALLELISM=false is one thread,
RAYON_NUM_THREADS=2 two) and, with IDS_FILE, counts texts whose ids differ from ours.
Usage: hf_bench.py TEXTS.jsonl VOCAB LABEL REPEATS THREADS [IDS_FILE]"""
import json
import statistics
import sys
import time

from tokenizers import BertWordPieceTokenizer

texts_path, vocab, label, repeats, threads = sys.argv[1:6]
ids_path = sys.argv[6] if len(sys.argv) > 6 else None
with open(texts_path, encoding="utf-8") as f:
    texts = [json.loads(line) for line in f]
tokenizer = BertWordPieceTokenizer(vocab, lowercase=True)
tokenizer.enable_truncation(256)

if ids_path:
    with open(ids_path, encoding="utf-8") as f:
        ours = [[int(x) for x in line.split()] for line in f]
    theirs = [e.ids for e in tokenizer.encode_batch(texts)]
    differ = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
    for i in differ[:3]:
        print(f"hf_bench: differs on {texts[i]!r}: ours {ours[i][:20]} tokenizers {theirs[i][:20]}", file=sys.stderr)
    print(json.dumps({"check": "ours vs tokenizers " + __import__("tokenizers").__version__, "texts": label,
                      "n": len(texts), "compared": min(len(ours), len(theirs)), "mismatches": len(differ)}))

rates, tokens = [], 0
for _ in range(int(repeats)):
    start = time.perf_counter()
    encodings = tokenizer.encode_batch(texts)
    rates.append(len(texts) / (time.perf_counter() - start))
    tokens = sum(len(e.ids) for e in encodings)
median = statistics.median(rates)
mean_tokens = tokens / len(texts)
print(json.dumps({"impl": "hf-tokenizers encode_batch", "texts": label, "n": len(texts), "threads": int(threads),
                  "mean_bytes": round(sum(len(t.encode()) for t in texts) / len(texts), 1),
                  "mean_tokens": round(mean_tokens, 1), "runs_texts_per_s": [round(r) for r in rates],
                  "median_texts_per_s": round(median), "median_tokens_per_s": round(median * mean_tokens)}))
