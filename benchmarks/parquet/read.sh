#!/usr/bin/env bash
# Builds parquet-read-bench in release and compares our reader with pyarrow (see read_bench.py).
# Usage: benchmarks/parquet/read.sh [rows=1000000] [runs=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${ENTROPYGUARD_PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || { echo "no python venv: run scripts/setup-venv" >&2; exit 1; }
swift build -c release --package-path benchmarks --product parquet-read-bench >&2
exec "$PY" benchmarks/parquet/read_bench.py "$(swift build -c release --package-path benchmarks --show-bin-path)/parquet-read-bench" \
  benchmarks/data/parquet "${1:-1000000}" "${2:-3}"
