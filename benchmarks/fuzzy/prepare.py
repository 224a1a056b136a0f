#!/usr/bin/env python3
"""Turns a JSONL file (a `text` column) into the inputs of both fuzzy-dedup benchmarks:
  OUT/texts.bin           each text as a little-endian uint32 byte count + UTF-8 bytes (fuzzy-bench)
  OUT/shards/part-K.jsonl the same rows split into SHARDS contiguous files of {"id", "text"} for
                          datatrove, whose JsonlReader parallelises by file (one file runs on one core).
Rows whose text is not a string are skipped in both. Usage: prepare.py IN.jsonl OUT [SHARDS=2]
"""
import json
import os
import struct
import sys


def main():
    source, out = sys.argv[1], sys.argv[2]
    shards = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    os.makedirs(os.path.join(out, "shards"), exist_ok=True)
    texts = []
    with open(source, encoding="utf-8") as f:
        for line in f:
            text = json.loads(line).get("text")
            if isinstance(text, str):
                texts.append(text)
    with open(os.path.join(out, "texts.bin"), "wb") as f:
        for text in texts:
            data = text.encode("utf-8")
            f.write(struct.pack("<I", len(data)))
            f.write(data)
    for k in range(shards):
        start, end = len(texts) * k // shards, len(texts) * (k + 1) // shards
        with open(os.path.join(out, "shards", f"part-{k}.jsonl"), "w", encoding="utf-8") as f:
            for i in range(start, end):
                f.write(json.dumps({"id": str(i), "text": texts[i]}, ensure_ascii=False) + "\n")
    print(len(texts))


if __name__ == "__main__":
    main()
