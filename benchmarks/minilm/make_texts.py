"""Writes the benchmark texts as JSON lines: short sentences (~15 words, ~20 word pieces) and
paragraphs of ~230 words (over 256 word pieces, so truncated to the model's maximum).

Real English from the shared sentence pool when available, otherwise pseudo-sentences from the
model vocabulary (same token counts, less natural). Deterministic (seed 1234)."""
import gzip
import json
import os
import random
import sys

out_dir, n_short, n_long = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pool_path = os.environ.get("MINILM_BENCH_POOL", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "realtext", "sentence_pool.jsonl.gz"))
rng = random.Random(1234)

if os.path.exists(pool_path):
    with gzip.open(pool_path, "rt", encoding="utf-8") as f:
        pool = [s for line in f for s in json.loads(line)["sents"]]
    source = f"sentence pool {pool_path}"
else:
    model = os.path.expanduser(os.environ.get("ENTROPYGUARD_HOME", "~/.cache/entropyguard"))
    with open(os.path.join(model, "models/all-MiniLM-L6-v2/vocab.txt"), encoding="utf-8") as f:
        words = [w.strip() for w in f if w.strip().isalpha() and w.strip().isascii()]
    pool = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 25))).capitalize() + "." for _ in range(50000)]
    source = "vocabulary pseudo-sentences"

short = [s for s in pool if 12 <= len(s.split()) <= 18]
rng.shuffle(short)
short = short[:n_short]

paragraphs = []
while len(paragraphs) < n_long:
    words, parts = 0, []
    while words < 230:
        sentence = rng.choice(pool)
        parts.append(sentence)
        words += len(sentence.split())
    paragraphs.append(" ".join(parts))

for name, texts in (("short", short), ("long", paragraphs)):
    with open(os.path.join(out_dir, f"{name}.jsonl"), "w", encoding="utf-8") as f:
        for text in texts:
            f.write(json.dumps(text) + "\n")
print(f"make_texts: {len(short)} short, {len(paragraphs)} long texts from {source}", file=sys.stderr)
