"""Side-by-side benchmark: our ParquetWriter (parquet-bench, release build) vs pyarrow writing
the same table with the same codec and level. Runs are interleaved; medians of N runs.
Usage: bench.py <parquet-bench binary> <out dir> [rows] [zstd level] [runs] [rows|columns]"""
import json, os, statistics, subprocess, sys, time
import pyarrow.parquet as pq

binary, out_dir = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
level = int(sys.argv[4]) if len(sys.argv) > 4 else 3
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 3
api = sys.argv[6] if len(sys.argv) > 6 else "rows"
os.makedirs(out_dir, exist_ok=True)
ours_path = os.path.join(out_dir, "ours.parquet")
theirs_path = os.path.join(out_dir, "pyarrow.parquet")
codec = "zstd" if level > 0 else "none"

ours_t, ours_c, ours_b, theirs_t, theirs_c, theirs_b = [], [], [], [], [], []
table = None
for run in range(runs):
    result = json.loads(subprocess.run([binary, ours_path, str(rows), str(level), api],
                                       check=True, capture_output=True, text=True).stdout)
    ours_t.append(result["seconds"]); ours_c.append(result["cpu_seconds"]); ours_b.append(result["bytes"])
    if table is None:
        table = pq.read_table(ours_path)  # the very same table, read back (not timed)
        assert table.num_rows == rows, table.num_rows
    start, cpu_start = time.perf_counter(), time.process_time()
    pq.write_table(table, theirs_path, compression=codec, compression_level=level if level > 0 else None)
    theirs_t.append(time.perf_counter() - start)
    theirs_c.append(time.process_time() - cpu_start)
    theirs_b.append(os.path.getsize(theirs_path))
    print(f"run {run + 1}: ours {ours_t[-1]:.3f}s (cpu {ours_c[-1]:.3f}s) {ours_b[-1]} B "
          f"({result['row_groups']} row groups) | pyarrow {theirs_t[-1]:.3f}s (cpu {theirs_c[-1]:.3f}s) "
          f"{theirs_b[-1]} B", flush=True)

assert pq.read_table(theirs_path).equals(pq.read_table(ours_path)), "the two files hold different data"
ot, oc, ob = statistics.median(ours_t), statistics.median(ours_c), statistics.median(ours_b)
tt, tc, tb = statistics.median(theirs_t), statistics.median(theirs_c), statistics.median(theirs_b)
print(f"rows={rows} codec={codec} level={level} api={api} medians of {runs}:")
print(f"  ours    : {ot:.3f} s wall  {oc:.3f} s cpu  {ob / 1e6:.1f} MB")
print(f"  pyarrow : {tt:.3f} s wall  {tc:.3f} s cpu  {tb / 1e6:.1f} MB")
print(f"  time ratio ours/pyarrow = {ot / tt:.2f} wall, {oc / tc:.2f} cpu  (target <= 1.5)")
print(f"  size ratio ours/pyarrow = {ob / tb:.3f} (target <= 1.2)")
