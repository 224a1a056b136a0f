#!/usr/bin/env python3
"""Seeded N-row JSONL of real English text for the static-model benchmarks.

Each row {"id": i, "text": ...} joins random sentences of the real-text pool
(../shared/data/realtext/sentence_pool.jsonl.gz) until the text has at least 180 bytes (~200 bytes on
average). 5% of rows repeat an earlier row with one more sentence appended (near duplicates for the
semantic stage), 5% repeat one with its case changed (exact duplicates after normalization).
usage: make_rows.py N OUT.jsonl [--texts-only] [--seed S]"""
import argparse
import gzip
import json
import random

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("out")
ap.add_argument("--pool", default="../shared/data/realtext/sentence_pool.jsonl.gz")
ap.add_argument("--texts-only", action="store_true", help="one JSON string per line (static-bench input)")
ap.add_argument("--seed", type=int, default=1234)
args = ap.parse_args()
rng = random.Random(args.seed)
pool = []
with gzip.open(args.pool, "rt", encoding="utf-8") as f:
    for line in f:
        for text in json.loads(line)["sents"]:
            if 20 <= len(text.encode()) <= 400:
                pool.append(" ".join(text.split()))
texts = []
with open(args.out, "w", encoding="utf-8") as out:
    for i in range(args.n):
        r = rng.random()
        if texts and r < 0.05:
            text = rng.choice(texts) + " " + rng.choice(pool)
        elif texts and r < 0.10:
            text = rng.choice(texts).upper()
        else:
            parts = []
            while sum(len(p.encode()) + 1 for p in parts) < 180:
                parts.append(rng.choice(pool))
            text = " ".join(parts)
            if len(texts) < 200_000:
                texts.append(text)
        out.write(json.dumps(text if args.texts_only else {"id": i, "text": text}, ensure_ascii=False) + "\n")
