#!/usr/bin/env bash
# Semantic-dedup search benchmark: exact vs ivf on generated clustered 384-d vectors with
# planted near duplicates. Prints one line per run (time, peak RSS) and ivf-vs-exact agreement.
#   benchmarks/search/run.sh                 # 100k, 300k, 1M (exact skipped at 1M)
#   SIZES="100000" REPEATS=3 benchmarks/search/run.sh
# Debian's OpenBLAS detects this VM's CPU as "Prescott" (SSE3 kernels, ~4x slower sgemm);
# OPENBLAS_CORETYPE forces the AVX-512 kernels. Decisions never depend on the kernel.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-SkylakeX}"
SIZES="${SIZES:-100000 300000 1000000}"
EXACT_MAX="${EXACT_MAX:-300000}"
REPEATS="${REPEATS:-1}"
OUT="${OUT:-/tmp/search-bench}"
mkdir -p "$OUT"
swift build -c release --package-path benchmarks --product search-bench >/dev/null
BIN="$(swift build -c release --package-path benchmarks --show-bin-path)/search-bench"
$BIN gemm
for rows in $SIZES; do
  modes="ivf"
  if [ "$rows" -le "$EXACT_MAX" ]; then modes="exact ivf"; fi
  for mode in $modes; do
    for r in $(seq "$REPEATS"); do
      $BIN run --rows "$rows" --mode "$mode" --out "$OUT/$mode-$rows.bin"
    done
  done
  if [ "$rows" -le "$EXACT_MAX" ]; then
    echo -n "agreement ivf vs exact rows=$rows: "
    $BIN compare "$OUT/exact-$rows.bin" "$OUT/ivf-$rows.bin" --rows "$rows"
  else
    echo "exact skipped at rows=$rows (quadratic; see the growth from smaller sizes); brute-force audit of 1000 sampled ivf decisions:"
    $BIN audit "$OUT/ivf-$rows.bin" --rows "$rows"
  fi
done
