/// Unit-length centroids and the deterministic "nearest few centroids" lookup used by the IVF search.
struct CentroidSet {
    let dimension: Int
    /// `count x dimension`, row-major, each row unit length.
    private(set) var centroids: [Float]

    var count: Int { centroids.count / dimension }

    init(dimension: Int, centroids: [Float]) {
        precondition(dimension > 0 && centroids.count % dimension == 0, "centroids must be count x dimension")
        self.dimension = dimension
        self.centroids = centroids
    }

    /// For each of the `rows` query vectors, the indices of its `probes` most similar centroids,
    /// most similar first, ties going to the lower index. Flat, `rows x probes`.
    ///
    /// GEMM only shortlists centroids; the order is decided with the fixed-order `VectorMath.dot`,
    /// so a vector gets the same centroids whatever the batch it arrives in.
    func nearest(_ queries: UnsafePointer<Float>, rows: Int, probes: Int) -> [Int32] {
        let p = min(probes, count)
        precondition(p > 0, "need at least one centroid and one probe")
        // Blocks of rows are independent; workers take every `workers`-th block.
        let block = 1024
        let blocks = (rows + block - 1) / block
        let workers = min(SearchWorkers.count, blocks)
        var result = [Int32](repeating: 0, count: rows * p)
        result.withUnsafeMutableBufferPointer { out in
            let out = out
            _ = SearchWorkers.map(max(1, workers)) { w in
                var b = w
                while b < blocks {
                    let start = b * block
                    nearest(queries + start * dimension, rows: min(block, rows - start), probes: p,
                            into: out.baseAddress! + start * p)
                    b += max(1, workers)
                }
            }
        }
        return result
    }

    /// `nearest` for one block of rows, written to `result` (`rows x probes`).
    private func nearest(_ queries: UnsafePointer<Float>, rows: Int, probes p: Int, into result: UnsafeMutablePointer<Int32>) {
        let k = count
        // Not zeroed first: the GEMM (beta 0) writes every score. Zeroing 1024 x ~935 floats per block
        // was 1.5% of a 1M-row run's CPU (memset, perf) on top of the GEMM's own writes.
        var scores = [Float](unsafeUninitializedCapacity: rows * k) { _, initialized in initialized = rows * k }
        var top = [Float](repeating: 0, count: p)
        var shortlist: [(similarity: Float, index: Int32)] = []
        centroids.withUnsafeBufferPointer { cents in
            let c = cents.baseAddress!
            scores.withUnsafeMutableBufferPointer { sBuf in
                let s = sBuf.baseAddress!
                VectorMath.gemmABt(queries, c, s, m: rows, n: k, k: dimension)
                for r in 0..<rows {
                    let row = s + r * k
                    // p-th largest GEMM score, by insertion into a small descending buffer.
                    for i in 0..<p { top[i] = -.infinity }
                    var j = ScoreScan.next(row, from: 0, count: k, atLeast: top[p - 1].nextUp)
                    while j < k {
                        var i = p - 1
                        while i > 0 && top[i - 1] < row[j] { top[i] = top[i - 1]; i -= 1 }
                        top[i] = row[j]
                        j = ScoreScan.next(row, from: j + 1, count: k, atLeast: top[p - 1].nextUp)
                    }
                    let bound = top[p - 1] - 2 * VectorMath.candidateMargin
                    let query = queries + r * dimension
                    shortlist.removeAll(keepingCapacity: true)
                    // The shortlist by SIMD skips too (a scalar pass over all ~935 scores per row was
                    // most of this function's 7% of the 1M-row selection, perf).
                    var s = ScoreScan.next(row, from: 0, count: k, atLeast: bound)
                    while s < k {
                        shortlist.append((VectorMath.dot(query, c + s * dimension, dimension), Int32(s)))
                        s = ScoreScan.next(row, from: s + 1, count: k, atLeast: bound)
                    }
                    shortlist.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.index < $1.index }
                    for i in 0..<p { result[r * p + i] = shortlist[i].index }
                }
            }
        }
    }
}
