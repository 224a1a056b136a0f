#!/usr/bin/env bash
# entropyguard-ray on this machine: a local Ray cluster with one CPU and with two, side by side (runs
# interleaved), against the single-machine binary on the same rows, all with sanitize, exact, fuzzy and
# semantic dedup on (static model, so embedding does not dominate). Prints wall time, rows/s, seconds
# per phase and the shuffle bytes of each dedup stage, per row and per 1M rows.
#   benchmarks/ray/run.sh [ROWS] [SHARDS]        (default 200000 rows in 4 shards; RUNS=1)
# Semantic dedup is exact by default: on these dense rows every pair is compared (README, Running on a
# cluster); JOB_OPTIONS="--semantic-assignments 3" measures the approximate assignment instead.
# Needs: the release build (made here, --static-swift-stdlib as shipped to workers), the project venv
# with ray (scripts/setup-venv), the static model (scripts/fetch-model).
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-200000}; shards=${2:-4}; runs=${RUNS:-1}
swift build -c release --static-swift-stdlib --product entropyguard >&2
bin=$PWD/.build/release/entropyguard
py=$PWD/.venv/bin/python
data=benchmarks/data/ray_$rows; out=benchmarks/out/ray
mkdir -p "$data" "$out"
all=benchmarks/data/rows_$rows.jsonl
[ -f "$all" ] || python3 benchmarks/generate_rows.py "$rows" "$all"
if [ ! -f "$data/part-0.jsonl" ]; then
  per=$(( (rows + shards - 1) / shards ))
  split -l "$per" -d -a 1 --additional-suffix=.jsonl "$all" "$data/part-"
fi
options=(--model-name all-MiniLM-L6-v2-static --text-column text)
for r in $(seq "$runs"); do
  rm -rf "$out/single"; mkdir -p "$out/single"
  /usr/bin/time -f "%e %M" -o "$out/single.time" "$bin" --input "$all" --output "$out/single/out.jsonl" \
    --checkpoint-dir "$out/single/ck" --snapshots none --quiet "${options[@]}"
  cp "$out/single.time" "$out/single.time.$r"
  for cpus in 1 2; do
    rm -rf "$out/w$cpus"
    /usr/bin/time -f "%e %M" -o "$out/w$cpus.time.$r" env PYTHONPATH=$PWD/python/entropyguard_ray RAY_AUTH_MODE=disabled \
      "$py" -m entropyguard_ray.cli --input "$data/part-*.jsonl" --output "$out/w$cpus/out" --work-dir "$out/w$cpus/work" \
      --num-cpus "$cpus" --partitions 2 --binary "$bin" --stats "$out/w$cpus.stats.$r.json" "${options[@]}" ${JOB_OPTIONS:-} 2>"$out/w$cpus.log"
  done
done
"$py" - "$out" "$runs" "$rows" <<'PY'
import json, statistics, sys
out, runs, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def wall(name):
    return statistics.median(float(open(f"{out}/{name}.time.{r}").read().split()[0]) for r in range(1, runs + 1))
def stat(cpus, key):
    return statistics.median(json.load(open(f"{out}/w{cpus}.stats.{r}.json")).get(key, 0) for r in range(1, runs + 1))
print(f"{rows} rows, medians of {runs}; single machine {wall('single'):.1f} s ({rows / wall('single'):,.0f} rows/s)")
print("| cluster | wall | rows/s | prepare | exact | fuzzy | semantic | apply |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for cpus in (1, 2):
    w = wall(f"w{cpus}")
    phases = " | ".join(f"{stat(cpus, k + '_seconds'):.1f} s" for k in ("prepare", "exact", "fuzzy", "semantic", "apply"))
    print(f"| {cpus} CPU{'s' if cpus > 1 else ''} | {w:.1f} s | {rows / w:,.0f} | {phases} |")
deduped = stat(2, "rows")
print(f"\nshuffle bytes ({deduped:,.0f} rows alive after validate):")
print("| stage | bytes | per row | per 1M rows |")
print("| --- | --- | --- | --- |")
for stage in ("exact", "fuzzy", "semantic"):
    b = stat(2, f"{stage}_shuffle_bytes")
    print(f"| {stage} | {b:,.0f} | {b / deduped:,.1f} B | {b / deduped:,.0f} MB |")
    if stage != "exact":   # the connected components of its verified pairs (components.py), all rounds
        b = stat(2, f"{stage}_components_bytes")
        print(f"| {stage} components | {b:,.0f} | {b / deduped:,.1f} B | {b / deduped:,.0f} MB |")
print(f"fuzzy edges {stat(2, 'fuzzy_edges'):,.0f} ({stat(2, 'fuzzy_rounds'):.0f} rounds), semantic edges {stat(2, 'semantic_edges'):,.0f} "
      f"({stat(2, 'semantic_rounds'):.0f} rounds), centroids {stat(2, 'semantic_centroids'):,.0f}")
PY
