import CBLAS

/// `search-bench gemm`: sgemm throughput on this machine (context for the search timings).
func gemmProbe() {
    let m = 4096, n = 4096, k = 384
    let a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: n * k)
    var c = [Float](repeating: 0, count: m * n)
    var times: [Double] = []
    for _ in 0..<5 {
        let t0 = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, &c, Int32(n))
        times.append(now() - t0)
    }
    let median = times.sorted()[2]
    print("sgemm \(m)x\(n)x\(k): median \(fmt(median * 1000)) ms = \(fmt(2 * Double(m * n * k) / median / 1e9)) GFLOP/s, threads=\(openblas_get_num_threads())")
}
