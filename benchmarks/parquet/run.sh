#!/usr/bin/env bash
# Builds parquet-bench in release and compares it with pyarrow (see bench.py).
# Usage: benchmarks/parquet/run.sh [rows=1000000] [zstd-level=3] [runs=3] [rows|columns]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${ENTROPYGUARD_PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || { echo "no python venv: run scripts/setup-venv" >&2; exit 1; }
swift build -c release --package-path benchmarks --product parquet-bench >&2
exec "$PY" benchmarks/parquet/bench.py "$(swift build -c release --package-path benchmarks --show-bin-path)/parquet-bench" \
  benchmarks/out/parquet "${1:-1000000}" "${2:-3}" "${3:-3}" "${4:-rows}"
