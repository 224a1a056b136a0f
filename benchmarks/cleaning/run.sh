#!/usr/bin/env bash
# Release-mode throughput of sanitize/cleanUnicode/maskPII/Chunker on ~200-byte texts (medians of 5 runs).
# Usage: benchmarks/cleaning/run.sh [rows]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --package-path benchmarks --product cleaning-bench >&2
"$(swift build -c release --package-path benchmarks --show-bin-path)/cleaning-bench" "$@"
