"""Upper bound on MiniLM throughput from its weight matrix products alone, on this machine.

Times OpenBLAS sgemm (the Debian library the encoder uses, SkylakeX kernels, 2 threads) on exactly the
products with weight matrices one batch of 32 texts needs (6 layers: Q/K/V, attention output, both
feed-forward layers; 90% of the model's arithmetic at 256 tokens, 99% at 23) and prints how many
texts per second those alone allow, as if attention, tokenization, softmax, GELU, LayerNorm and
pooling cost nothing. If results.jsonl from run.sh is given, compares with sentence-transformers'
measured rate and what 2x that would need.

    .venv/bin/python benchmarks/minilm/gemm_ceiling.py [benchmarks/minilm/out/results.jsonl]
"""
import ctypes
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402

blas = ctypes.CDLL("libopenblas.so.0")
blas.cblas_sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int,
                                                  ctypes.c_void_p, ctypes.c_int, ctypes.c_float,
                                                  ctypes.c_void_p, ctypes.c_int]
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def sgemm_seconds(m, n, k, threads, repeats=7):
    blas.openblas_set_num_threads(threads)
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(n, k).astype(np.float32)      # weights are [out x in]: C = A Bᵀ
    c = np.zeros((m, n), np.float32)
    run = lambda: blas.cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1.0, a.ctypes.data, k,
                                   b.ctypes.data, k, 0.0, c.ctypes.data, n)
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_seconds(tokens_per_text, texts=32, hidden=384, inner=1536, layers=6):
    t = tokens_per_text * texts
    linear = (sgemm_seconds(t, 3 * hidden, hidden, 2) + sgemm_seconds(t, hidden, hidden, 2)
              + sgemm_seconds(t, inner, hidden, 2) + sgemm_seconds(t, hidden, inner, 2))
    flops = layers * 2 * t * hidden * (3 * hidden + hidden + 2 * inner)
    return layers * linear, flops


def main():
    measured = {}
    if len(sys.argv) > 1 and os.path.exists(sys.argv[1]):
        for line in open(sys.argv[1]):
            row = json.loads(line)
            measured[(row["impl"], row["texts"])] = row["median_sentences_per_s"]
    big = sgemm_seconds(4096, 4096, 4096, 2)
    print(f"sgemm 4096^3 on 2 threads: {2 * 4096 ** 3 / big / 1e9:.0f} GFLOP/s")
    for label, tokens in (("short", 23), ("long", 256)):
        seconds, flops = batch_seconds(tokens)
        bound = 32 / seconds
        line = (f"{label:5s} ({tokens} tokens): weight products alone {flops / seconds / 1e9:.0f} GFLOP/s, "
                f"at most {bound:.1f} texts/s")
        theirs = measured.get(("sentence-transformers", label))
        ours = measured.get(("swift-minilm", label))
        if theirs:
            line += (f"; sentence-transformers {theirs}/s, 2x = {2 * theirs:.1f}/s "
                     f"= {2 * theirs / bound:.0%} of the bound")
        if ours:
            line += f"; ours {ours}/s = {ours / bound:.0%} of the bound"
        print(line)


main()
