"""Times sentence-transformers all-MiniLM-L6-v2 (CPU torch) on the same texts as minilm-bench,
loading the model from the same folder, and prints one JSON line like minilm-bench."""
import json
import statistics
import sys
import time

import torch
from sentence_transformers import SentenceTransformer

texts_path, model_dir, label = sys.argv[1], sys.argv[2], sys.argv[3]
batch_size, threads, repeats = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
torch.set_num_threads(threads)
with open(texts_path, encoding="utf-8") as f:
    texts = [json.loads(line) for line in f]
model = SentenceTransformer(model_dir, device="cpu")
model.encode(texts[:batch_size], batch_size=batch_size, normalize_embeddings=True)  # warm-up
rates, cpu_rates = [], []
for _ in range(repeats):
    start, cpu_start = time.perf_counter(), time.process_time()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    rates.append(len(texts) / (time.perf_counter() - start))
    cpu_rates.append(len(texts) / (time.process_time() - cpu_start))
print(json.dumps({"impl": "sentence-transformers", "texts": label, "n": len(texts), "batch_size": batch_size,
                  "threads": threads, "runs_sentences_per_s": [round(r, 1) for r in rates],
                  "median_sentences_per_s": round(statistics.median(rates), 1),
                  "median_sentences_per_cpu_s": round(statistics.median(cpu_rates), 1)}))
