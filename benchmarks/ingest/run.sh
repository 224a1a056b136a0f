#!/usr/bin/env bash
# Builds ingest-bench in release mode and prints ingest throughput (median MB/s of several runs).
# Usage: benchmarks/ingest/run.sh [--mb 200] [--runs 5] [--dir /tmp]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --package-path benchmarks --product ingest-bench >&2
"$(swift build -c release --package-path benchmarks --show-bin-path)/ingest-bench" "$@"
