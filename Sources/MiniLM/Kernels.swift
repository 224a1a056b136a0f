import CMiniLMKernels
import COpenBLAS
import Foundation

/// True when the element-wise steps run on the AVX-512 kernels (CMiniLMKernels): checked once. Set
/// MINILM_KERNELS=portable to use the Swift loops instead (for comparison).
let avx512Kernels: Bool = {
    if let choice = getenv("MINILM_KERNELS").map({ String(cString: $0) }), choice == "portable" { return false }
    return eg_minilm_avx512_available() != 0
}()

/// Row-major `C = alpha * A * op(B) + beta * C`, with `op(B) = Bᵀ` when `transposeB`
/// (PyTorch linear weights are `[out x in]`, so `X Wᵀ` is `transposeB: true`).
@inline(__always)
func gemm(m: Int, n: Int, k: Int, alpha: Float = 1,
          a: UnsafePointer<Float>, lda: Int,
          b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
}

/// `gemm` with the rows of A and C split into one block per worker, each block a single-threaded
/// OpenBLAS call (OpenBLAS itself is kept at one thread). OpenBLAS's own threads spun in sched_yield
/// between products while our workers ran the element-wise steps, about a tenth of the time on
/// 256-token batches. Every block keeps at least `minimumRows` rows, so each output element goes
/// through the same kernel and the same summation order whatever the split on OpenBLAS's SkylakeX
/// kernels: results do not depend on the worker count there (its Haswell kernels differ by < 1e-7).
func gemmByRows(workers: Int, minimumRows: Int, m: Int, n: Int, k: Int,
                a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let blocks = max(1, min(workers, m / minimumRows))
    runWorkers(blocks) { block in
        let start = m * block / blocks
        let end = m * (block + 1) / blocks
        gemm(m: end - start, n: n, k: k, a: a + start * lda, lda: lda, b: b, ldb: ldb, transposeB: transposeB,
             beta: beta, c: c + start * ldc, ldc: ldc)
    }
}

/// Fills each of `rows` rows of `matrix` (stride `count`) with `vector`, so a following GEMM with
/// `beta = 1` adds the bias for free.
func broadcastRows(_ vector: UnsafePointer<Float>, count: Int, rows: Int, into matrix: UnsafeMutablePointer<Float>) {
    for row in 0..<rows { (matrix + row * count).update(from: vector, count: count) }
}

/// `target = source + bias` for one row (residual plus the next linear layer's bias).
@inline(__always)
func add(_ source: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
         count: Int) {
    for i in 0..<count { target[i] = source[i] + bias[i] }
}

/// In-place LayerNorm of one row: `(x - mean) / sqrt(var + eps) * weight + bias` (biased variance).
/// Sums run in 8 interleaved partial sums so the loops vectorize; the order is fixed, so results are
/// deterministic.
@inline(__always)
func layerNormalize(_ row: UnsafeMutablePointer<Float>, count: Int,
                    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
    if avx512Kernels {
        eg_minilm_layer_norm_avx512(row, Int32(count), weight, bias, epsilon)
    } else {
        layerNormalizePortable(row, count: count, weight: weight, bias: bias, epsilon: epsilon)
    }
}

/// `layerNormalize` in plain Swift (any CPU).
@inline(__always)
func layerNormalizePortable(_ row: UnsafeMutablePointer<Float>, count: Int,
                            weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
    let mean = partialSums(count) { row[$0] } / Float(count)
    let variance = partialSums(count) { (row[$0] - mean) * (row[$0] - mean) } / Float(count)
    let inverse = 1 / (variance + epsilon).squareRoot()
    for i in 0..<count { row[i] = (row[i] - mean) * inverse * weight[i] + bias[i] }
}

/// Sum of `term(0..<count)` accumulated in 8 lanes, then combined.
@inline(__always)
func partialSums(_ count: Int, _ term: (Int) -> Float) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        lanes += SIMD8(term(i), term(i + 1), term(i + 2), term(i + 3),
                       term(i + 4), term(i + 5), term(i + 6), term(i + 7))
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += term(i); i += 1 }
    return total
}

/// In-place `gelu(x + bias)` in BERT's erf form: `0.5 x (1 + erf(x / sqrt 2))`.
@inline(__always)
func addBiasGELU(_ row: UnsafeMutablePointer<Float>, count: Int, bias: UnsafePointer<Float>) {
    if avx512Kernels {
        eg_minilm_bias_gelu_avx512(row, bias, Int32(count))
    } else {
        addBiasGELUPortable(row, count: count, bias: bias)
    }
}

/// `addBiasGELU` in plain Swift (any CPU).
@inline(__always)
func addBiasGELUPortable(_ row: UnsafeMutablePointer<Float>, count: Int, bias: UnsafePointer<Float>) {
    for i in 0..<count {
        let x = row[i] + bias[i]
        row[i] = 0.5 * x * (1 + fastErf(x * 0.70710678118654752440))
    }
}

/// In-place unnormalized softmax of one row: `exp(x - max)`; returns `1 / sum` so the caller can
/// scale the (narrower) attention output row instead of this row.
@inline(__always)
func exponentiateRow(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
    avx512Kernels ? eg_minilm_exp_row_avx512(row, Int32(count)) : exponentiateRowPortable(row, count: count)
}

/// `exponentiateRow` in plain Swift (any CPU).
@inline(__always)
func exponentiateRowPortable(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
    // Compare-and-select lanes (maxps-like); Swift's pointwiseMax/max() keep NaN rules that scalarize.
    var maxima = SIMD4<Float>(repeating: -.infinity)
    var i = 0
    while i + 4 <= count {
        let lanes = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD4<Float>.self)
        maxima = maxima.replacing(with: lanes, where: lanes .> maxima)
        i += 4
    }
    var maximum = Swift.max(Swift.max(maxima[0], maxima[1]), Swift.max(maxima[2], maxima[3]))
    while i < count { maximum = Swift.max(maximum, row[i]); i += 1 }
    for i in 0..<count { row[i] = fastExp(row[i] - maximum) }
    return 1 / partialSums(count) { row[$0] }
}
