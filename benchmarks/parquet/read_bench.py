"""Side-by-side benchmark of the Parquet reader: parquet-read-bench (release build) against pyarrow's
pq.read_table on the same pyarrow-written files. Runs are interleaved; medians of N runs.
Usage: read_bench.py <parquet-read-bench binary> <out dir> [rows] [runs]

The files: `rows` rows of id int64, text (~200 bytes of words from a 2,000-word vocabulary), score
double, category string (12 values), ts timestamp[us, UTC], maybe int32 (20% null), written by
pyarrow with its defaults (dictionary on, 1 MB pages, row groups of 1M rows) in ZSTD and in SNAPPY.
Generated once (seeded) into the out dir."""
import json, os, random, statistics, subprocess, sys, time
import pyarrow as pa
import pyarrow.parquet as pq

binary, out_dir = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
os.makedirs(out_dir, exist_ok=True)

def make_table(n):
    rng = random.Random(42)
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    vocabulary = ["".join(letters[int(len(letters) * rng.random() ** 2)] for _ in range(rng.randint(2, 10))) for _ in range(2000)]
    texts = []
    for _ in range(n):
        words, size = [], 0
        while size < 190:
            w = rng.choice(vocabulary); words.append(w); size += len(w) + 1
        texts.append(" ".join(words))
    categories = [f"category-{k}" for k in range(12)]
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "text": pa.array(texts, pa.string()),
        "score": pa.array([rng.random() for _ in range(n)], pa.float64()),
        "category": pa.array([rng.choice(categories) for _ in range(n)], pa.string()),
        "ts": pa.array([1_700_000_000_000_000 + i * 1_000 for i in range(n)], pa.timestamp("us", tz="UTC")),
        "maybe": pa.array([None if rng.random() < 0.2 else rng.randint(-1000, 1000) for _ in range(n)], pa.int32()),
    })

files = {}
table = None
for codec in ["zstd", "snappy"]:
    path = os.path.join(out_dir, f"read-{rows}-{codec}.parquet")
    if not os.path.exists(path):
        table = table or make_table(rows)
        pq.write_table(table, path + ".tmp", compression=codec)
        os.replace(path + ".tmp", path)
    files[codec] = path

results = {}
for codec, path in files.items():
    ours_cols, ours_rows, theirs, theirs_cpu, ours_cols_cpu, ours_rows_cpu = [], [], [], [], [], []
    for run in range(runs):
        out = json.loads(subprocess.run([binary, path, "columns"], check=True, capture_output=True, text=True).stdout)
        assert out["rows"] == rows, out
        ours_cols.append(out["seconds"]); ours_cols_cpu.append(out["cpu_seconds"])
        start, cpu = time.perf_counter(), time.process_time()
        t = pq.read_table(path)
        theirs.append(time.perf_counter() - start); theirs_cpu.append(time.process_time() - cpu)
        assert t.num_rows == rows
        del t
        out = json.loads(subprocess.run([binary, path, "rows"], check=True, capture_output=True, text=True).stdout)
        ours_rows.append(out["seconds"]); ours_rows_cpu.append(out["cpu_seconds"])
        print(f"{codec} run {run + 1}: ours columns {ours_cols[-1]:.3f}s (cpu {ours_cols_cpu[-1]:.3f}s), "
              f"ours rows {ours_rows[-1]:.3f}s (cpu {ours_rows_cpu[-1]:.3f}s) | pyarrow {theirs[-1]:.3f}s (cpu {theirs_cpu[-1]:.3f}s)", flush=True)
    m = statistics.median
    results[codec] = (m(ours_cols), m(ours_cols_cpu), m(ours_rows), m(ours_rows_cpu), m(theirs), m(theirs_cpu))

print(f"rows={rows}, medians of {runs} (seconds, wall / cpu):")
print("| codec | ours: columns | ours: rows as values | pyarrow read_table | ratio columns | ratio rows |")
print("|---|---|---|---|---|---|")
for codec, (oc, occ, orow, orc, t, tc) in results.items():
    print(f"| {codec} | {oc:.3f} / {occ:.3f} | {orow:.3f} / {orc:.3f} | {t:.3f} / {tc:.3f} | "
          f"{oc / t:.2f} / {occ / tc:.2f} | {orow / t:.2f} / {orc / tc:.2f} |")
print("target: ratio <= 1.5 (columns: the same work as read_table)")
