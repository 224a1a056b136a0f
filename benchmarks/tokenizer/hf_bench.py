"""HuggingFace `tokenizers` (Rust) on the same texts as tokenizer-bench: BertWordPieceTokenizer with the
model's vocab.txt, lowercase, truncation to 256, as sentence-transformers tokenizes for all-MiniLM-L6-v2.
Times `encode_batch` (what BertTokenizerFast calls) and `encode_batch_fast` (no offsets; what
model2vec's StaticModel calls), threads from the environment (TOKENIZERS_PARALLELISM=false is one
thread, RAYON_NUM_THREADS=2 two), in texts per wall-clock second and per CPU-second (all threads);
with IDS_FILE, counts texts whose ids differ from ours.
Usage: hf_bench.py TEXTS.jsonl VOCAB LABEL REPEATS THREADS [IDS_FILE] (REPEATS 0: the check only)"""
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

for method in ("encode_batch", "encode_batch_fast") if int(repeats) > 0 else ():
    encode = getattr(tokenizer._tokenizer, method)
    rates, cpu_rates, tokens = [], [], 0
    for _ in range(int(repeats)):
        start, cpu_start = time.perf_counter(), time.process_time()
        encodings = encode(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
        cpu_rates.append(len(texts) / max(time.process_time() - cpu_start, 1e-6))
        tokens = sum(len(e.ids) for e in encodings)
    median = statistics.median(rates)
    mean_tokens = tokens / len(texts)
    print(json.dumps({"impl": f"hf-tokenizers {method}", "texts": label, "n": len(texts), "threads": int(threads),
                      "mean_bytes": round(sum(len(t.encode()) for t in texts) / len(texts), 1),
                      "mean_tokens": round(mean_tokens, 1), "runs_texts_per_s": [round(r) for r in rates],
                      "median_texts_per_s": round(median), "median_tokens_per_s": round(median * mean_tokens),
                      "median_texts_per_cpu_s": round(statistics.median(cpu_rates))}))
