#!/usr/bin/env python3
"""Parity of our distillation with model2vec's own `distill` of the same local all-MiniLM-L6-v2.

usage (in benchmarks/.venv-model2vec): parity.py MODEL_DIR SENTENCES.jsonl OURS.npy MINILM_REFERENCE.npy
Distils with model2vec (pca_dims=256, its defaults otherwise), encodes the 204 reference sentences,
and compares the pairwise cosine matrices (upper triangles) of model2vec's and our static vectors by
Spearman correlation (PCA signs differ between implementations, so vectors are not compared); also
each against MiniLM's own embeddings (ground truth from sentence-transformers) for context."""
import json
import sys
import time

import numpy as np
from scipy.stats import spearmanr

model_dir, sentences_path, ours_path, reference_path = sys.argv[1:5]
save_to = sys.argv[5] if len(sys.argv) > 5 else None
rows = [json.loads(line) for line in open(sentences_path)]
texts = [row["text"] for row in rows]

from model2vec.distill import distill  # noqa: E402

start = time.time()
m2v = distill(model_name=model_dir, pca_dims=256)
distill_seconds = time.time() - start
if save_to:
    m2v.save_pretrained(save_to)
theirs = m2v.encode(texts)
ours = np.load(ours_path)
minilm = np.load(reference_path)
assert ours.shape == theirs.shape == (len(texts), 256), (ours.shape, theirs.shape)


def upper(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1, norms)
    matrix = unit @ unit.T
    return matrix[np.triu_indices(len(vectors), k=1)]


a, b, c = upper(ours), upper(theirs), upper(minilm)
zero_ours = int((np.linalg.norm(ours, axis=1) == 0).sum())
zero_theirs = int((np.linalg.norm(theirs, axis=1) == 0).sum())
# What differs: the tokens model2vec left out, and the sentences of the pairs that disagree most.
source_vocabulary = [line.rstrip("\n") for line in open(f"{model_dir}/vocab.txt", encoding="utf-8")]
kept = set(m2v.tokenizer.get_vocab())
left_out = [t for t in source_vocabulary if t not in kept and not (t.startswith("[unused") and t.endswith("]"))]
pairs = np.array(np.triu_indices(len(texts), k=1)).T
worst = np.argsort(-np.abs(a - b))[:5]
print(json.dumps({"left_out_by_model2vec_besides_unused": left_out}))
for index in worst:
    i, j = pairs[index]
    print(json.dumps({"pair": [int(i), int(j)], "ours": round(float(a[index]), 3), "model2vec": round(float(b[index]), 3),
                      "texts": [rows[i]["category"] + ": " + texts[i][:60], rows[j]["category"] + ": " + texts[j][:60]]}))
print(json.dumps({
    "pairs": int(a.size),
    "spearman_ours_vs_model2vec": round(float(spearmanr(a, b).statistic), 5),
    "max_abs_cosine_difference": round(float(np.abs(a - b).max()), 5),
    "spearman_ours_vs_minilm": round(float(spearmanr(a, c).statistic), 4),
    "spearman_model2vec_vs_minilm": round(float(spearmanr(b, c).statistic), 4),
    "zero_vectors_ours": zero_ours, "zero_vectors_model2vec": zero_theirs,
    "model2vec_vocabulary": int(m2v.embedding.shape[0]), "model2vec_dtype": str(m2v.embedding.dtype),
    "model2vec_distill_seconds": round(distill_seconds, 1),
}))
