#!/usr/bin/env python3
"""Seeded generator of N-row JSONL for the core benchmark.

Each row: {"id": i, "text": ~200 bytes of words, "source": ..., "score": float}. About 10% of rows are
exact copies of an earlier row's text and 5% near-exact copies (case and whitespace changes), so
exact dedup drops ~15%. Usage: generate_rows.py N OUT.jsonl [--seed S]
"""
import argparse
import json
import random

WORDS = ("data model train token corpus clean filter dedup vector embed query index shard batch "
         "stream record field value schema parquet sqlite hash exact semantic threshold cosine "
         "privacy email phone audit stage resume checkpoint generation row column text length "
         "python swift memory speed laptop offline air gapped million hours minutes seconds").split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts = []
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.n):
            r = rng.random()
            if texts and r < 0.10:
                text = rng.choice(texts)
            elif texts and r < 0.15:
                base = rng.choice(texts)
                text = "  " + base.upper().replace(" ", "\t ", 2) + " "
            else:
                words = []
                while sum(len(w) + 1 for w in words) < 200:
                    words.append(rng.choice(WORDS))
                text = " ".join(words) + f" #{i}"
                if len(texts) < 200_000:
                    texts.append(text)
                else:
                    texts[rng.randrange(len(texts))] = text
            rec = {"id": i, "text": text, "source": rng.choice(["web", "docs", "forum"]), "score": round(rng.random(), 4)}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
