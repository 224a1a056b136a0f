#!/usr/bin/env python3
"""The cluster's semantic decisions against the single machine's `--search exact` on dense data: rows
made like the cluster test's (python/entropyguard_ray/tests/test_cluster.py make_records; with the
static model about half the rows reaching semantic dedup are duplicates of others, most pairs near the
0.96 threshold), 3 shards, a 2-CPU local cluster, default semantic settings (exact assignment).
Prints the agreement (rows whose semantic decision, dropped or kept, is the same), the drops whose
duplicate_of differs, and the job's semantic stats (centroids, fan-out, shuffle bytes, seconds).
  .venv/bin/python benchmarks/ray/dense_agreement.py [ROWS] [BINARY] [extra entropyguard-ray options]
(default 30000 rows, .build/release/entropyguard; SEED=7: make_records' seed)."""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python", "entropyguard_ray", "tests"))
from test_cluster import OPTIONS, PACKAGE, SHARDS, make_records  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
binary = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(ROOT, ".build", "release", "entropyguard")
extra = sys.argv[3:]
tmp = tempfile.mkdtemp(prefix="eg-dense-")
records = make_records(rows, seed=int(os.environ.get("SEED", "7")))
size = (len(records) + SHARDS - 1) // SHARDS
os.makedirs(f"{tmp}/in")
for s in range(SHARDS):
    with open(f"{tmp}/in/part-{s}.jsonl", "w") as f:
        f.write("\n".join(records[s * size:(s + 1) * size]) + "\n")
with open(f"{tmp}/all.jsonl", "w") as f:
    f.write("\n".join(records) + "\n")

t = time.time()
subprocess.run([binary, "--input", f"{tmp}/all.jsonl", "--output", f"{tmp}/single.jsonl", "--audit-log", f"{tmp}/single-audit.jsonl",
                "--search", "exact", "--quiet"] + OPTIONS, check=True)
single_seconds = time.time() - t
t = time.time()
subprocess.run([sys.executable, "-m", "entropyguard_ray.cli", "--input", f"{tmp}/in/*.jsonl", "--output", f"{tmp}/out",
                "--work-dir", f"{tmp}/work", "--num-cpus", "2", "--binary", binary, "--stats", f"{tmp}/stats.json"] + OPTIONS + extra,
               check=True, env=dict(os.environ, PYTHONPATH=PACKAGE, RAY_AUTH_MODE="disabled"))
cluster_seconds = time.time() - t


def semantic(path):
    with open(path) as f:
        return {a["row_index"]: a for a in map(json.loads, f) if a["stage"] == "semantic_dedup"}


single, cluster = semantic(f"{tmp}/single-audit.jsonl"), semantic(f"{tmp}/out/audit.jsonl")
with open(f"{tmp}/single.jsonl") as f:
    reaching = sum(1 for _ in f) + len(single)
differing = len(set(single) ^ set(cluster))
other_target = [r for r in set(single) & set(cluster) if single[r].get("duplicate_of") != cluster[r].get("duplicate_of")]
if other_target:
    print("first drops pointing elsewhere (row: single's target and audit details | cluster's):")
    for r in sorted(other_target)[:5]:
        print(f"  {r}: {single[r].get('duplicate_of')} {single[r].get('details')} | {cluster[r].get('duplicate_of')} {cluster[r].get('details')}")
stats = json.load(open(f"{tmp}/stats.json"))
print(f"{rows} rows, {reaching} reach semantic dedup; drops: single --search exact {len(single)}, cluster {len(cluster)}; "
      f"{differing} decisions differ ({1 - differing / reaching:.2%} agree); {len(other_target)} common drops point elsewhere")
print(f"single {single_seconds:.1f} s, cluster job {cluster_seconds:.1f} s; semantic: " +
      ", ".join(f"{k[9:]} {stats[k]}" for k in sorted(stats) if k.startswith("semantic_")))
subprocess.run(["rm", "-rf", tmp])
