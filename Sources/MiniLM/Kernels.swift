import COpenBLAS
import Foundation

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

/// Fills each of `rows` rows of `matrix` (stride `count`) with `vector`, so a following GEMM with
/// `beta = 1` adds the bias for free.
@inline(__always)
func broadcastRows(_ vector: UnsafePointer<Float>, count: Int, rows: Int, into matrix: UnsafeMutablePointer<Float>) {
    for row in 0..<rows { (matrix + row * count).update(from: vector, count: count) }
}

/// In-place LayerNorm of one row: `(x - mean) / sqrt(var + eps) * weight + bias` (biased variance).
@inline(__always)
func layerNormalize(_ row: UnsafeMutablePointer<Float>, count: Int,
                    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
    var sum: Float = 0
    for i in 0..<count { sum += row[i] }
    let mean = sum / Float(count)
    var squares: Float = 0
    for i in 0..<count {
        let d = row[i] - mean
        squares += d * d
    }
    let inverse = 1 / (squares / Float(count) + epsilon).squareRoot()
    for i in 0..<count { row[i] = (row[i] - mean) * inverse * weight[i] + bias[i] }
}

/// In-place `gelu(x + bias)` with the exact erf form BERT uses.
@inline(__always)
func addBiasGELU(_ row: UnsafeMutablePointer<Float>, count: Int, bias: UnsafePointer<Float>) {
    let invSqrt2: Float = 0.70710678118654752440
    for i in 0..<count {
        let x = row[i] + bias[i]
        row[i] = 0.5 * x * (1 + erff(x * invSqrt2))
    }
}

/// In-place softmax of one row (scores arrive already scaled by 1/sqrt(head size)).
@inline(__always)
func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
    var maximum = -Float.infinity
    for i in 0..<count { maximum = max(maximum, row[i]) }
    var sum: Float = 0
    for i in 0..<count {
        let e = expf(row[i] - maximum)
        row[i] = e
        sum += e
    }
    let inverse = 1 / sum
    for i in 0..<count { row[i] *= inverse }
}
