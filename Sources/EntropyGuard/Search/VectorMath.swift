import COpenBLAS
import MiniLM

/// Dense float kernels used by the search. GEMM is only ever used to *filter* candidates;
/// every decision is taken with `dot`, whose summation order is fixed, so results do not depend
/// on BLAS blocking, thread count or how rows were batched.
enum VectorMath {
    /// GEMM scores may differ from `dot` by rounding (~1e-6 for unit vectors of a few hundred
    /// dimensions); anything within this margin of a bound is re-checked with `dot`.
    static let candidateMargin: Float = 1e-4

    /// Fixed-order dot product of two `count`-long vectors.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= count {
            let x = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            let y = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            acc += x * y
            i &+= 8
        }
        var tail: Float = 0
        while i < count {
            tail += a[i] * b[i]
            i &+= 1
        }
        return acc.sum() + tail
    }

    /// The search's GEMMs run inside its own workers (`SearchWorkers`): OpenBLAS must be single-threaded
    /// and on the kernels OpenBLASRuntime picks. Set up here, before the first GEMM, whatever model was
    /// loaded: a static model runs no GEMM, and without this the search ran on Debian OpenBLAS's SSE3
    /// "Prescott" kernels with spinning OpenBLAS threads (perf, 100k rows: 54% in sgemm_kernel_PRESCOTT,
    /// 16% in sched_yield). Once per process (a lazy global).
    private static let openBLASSetUp: Void = OpenBLASRuntime.setThreads(1)

    /// C (m x n, row-major, leading dimension n) = A (m x k) * B (n x k)^T, all row-major.
    static func gemmABt(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                        m: Int, n: Int, k: Int) {
        guard m > 0, n > 0 else { return }
        _ = openBLASSetUp
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }

    /// Scales `v` to unit length in place (left unchanged when it is zero).
    static func normalize(_ v: UnsafeMutablePointer<Float>, _ count: Int) {
        let norm = dot(v, v, count).squareRoot()
        guard norm > 0 else { return }
        let inverse = 1 / norm
        for i in 0..<count { v[i] *= inverse }
    }
}
