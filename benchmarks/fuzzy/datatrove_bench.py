#!/usr/bin/env python3
"""datatrove's MinHash pipeline (signatures -> buckets -> cluster -> filter, LocalPipelineExecutor) on
the shards prepare.py wrote, timed per stage, with our shingles and banding:
  - word 5-grams of the text lowercased, punctuation turned into spaces, whitespace collapsed
    (TextNormConfig with norm_numbers and norm_unicode_diacritics off, which we do not do), tokenised
    by datatrove's default English word tokenizer (spaCy);
  - BANDS buckets x ROWS hashes per bucket (the bands x rows our LSHParameters chose), 32-bit hashes,
    xxhash shingle hashes (datatrove's default).
datatrove keeps one document per connected component of the bucket-collision graph, unverified (no
threshold check on the signatures); the threshold only enters through bands x rows.
Prints one JSON line (docs/s wall and per CPU-second of all its processes) and, with --removed, writes
the ids of the documents it removed, one per line.
Usage: datatrove_bench.py SHARDS_DIR WORK_DIR BANDS ROWS [--workers 2] [--removed FILE]
"""
import argparse
import glob
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import time


def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shards")
    ap.add_argument("work")
    ap.add_argument("bands", type=int)
    ap.add_argument("rows", type=int)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--removed")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage is None:
        return drive(args)

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.text import TextNormConfig

    w = args.work
    shards = sorted(glob.glob(os.path.join(args.shards, "*.jsonl")))
    config = MinhashConfig(n_grams=5, num_buckets=args.bands, hashes_per_bucket=args.rows, seed=1,
                           norm_config=TextNormConfig(norm_numbers=False, norm_unicode_diacritics=False),
                           hash_config=HashConfig(precision=32))
    stages = [
        ("signatures", LocalPipelineExecutor(
            pipeline=[JsonlReader(args.shards), MinhashDedupSignature(output_folder=f"{w}/signatures", config=config)],
            tasks=len(shards), workers=args.workers, logging_dir=f"{w}/logs/signatures", start_method="fork")),
        ("buckets", LocalPipelineExecutor(
            pipeline=[MinhashDedupBuckets(input_folder=f"{w}/signatures", output_folder=f"{w}/buckets", config=config)],
            tasks=config.num_buckets, workers=args.workers, logging_dir=f"{w}/logs/buckets", start_method="fork")),
        ("cluster", LocalPipelineExecutor(
            pipeline=[MinhashDedupCluster(input_folder=f"{w}/buckets", output_folder=f"{w}/remove_ids", config=config)],
            tasks=1, logging_dir=f"{w}/logs/cluster")),
        ("filter", LocalPipelineExecutor(
            pipeline=[JsonlReader(args.shards),
                      MinhashDedupFilter(input_folder=f"{w}/remove_ids",
                                         exclusion_writer=JsonlWriter(f"{w}/removed", compression=None)),
                      JsonlWriter(f"{w}/output", compression=None)],
            tasks=len(shards), workers=args.workers, logging_dir=f"{w}/logs/filter", start_method="fork")),
    ]
    dict(stages)[args.stage].run()


def drive(args):
    """Runs each stage in its own process, so that the CPU time of its worker processes (reaped when
    the stage ends) shows in RUSAGE_CHILDREN."""
    shutil.rmtree(args.work, ignore_errors=True)
    w = args.work
    shards = sorted(glob.glob(os.path.join(args.shards, "*.jsonl")))
    docs = sum(1 for s in shards for _ in open(s, encoding="utf-8"))
    result = {"impl": "datatrove", "rows": docs, "bands": args.bands, "rows_per_band": args.rows,
              "workers": args.workers, "shards": len(shards)}
    total_wall, total_cpu = 0.0, 0.0
    for name in ("signatures", "buckets", "cluster", "filter"):
        t, c = time.time(), cpu()
        subprocess.run([sys.executable, __file__, args.shards, w, str(args.bands), str(args.rows),
                        "--workers", str(args.workers), "--stage", name], check=True)
        wall, used = time.time() - t, cpu() - c
        result[f"{name}_s"] = round(wall, 3)
        result[f"{name}_cpu_s"] = round(used, 3)
        total_wall += wall
        total_cpu += used
    removed = []
    for path in sorted(glob.glob(f"{w}/removed/*")):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            removed += [json.loads(line)["id"] for line in f]
    result.update({"total_s": round(total_wall, 3), "total_cpu_s": round(total_cpu, 3),
                   "docs_per_s": int(docs / total_wall), "docs_per_cpu_s": int(docs / total_cpu),
                   "signature_docs_per_s": int(docs / result["signatures_s"]),
                   "signature_docs_per_cpu_s": int(docs / result["signatures_cpu_s"]), "removed": len(removed),
                   "peak_rss_mb_largest_process": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)})
    if args.removed:
        with open(args.removed, "w") as f:
            f.writelines(f"{i}\n" for i in removed)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
