import SplitMix
/// Spherical k-means (cosine similarity, unit-length centroids) for the IVF coarse quantizer.
/// Deterministic: seeded initialisation, fixed-order sums, assignments through `CentroidSet.nearest`.
enum SphericalKMeans {
    /// Trains `clusters` centroids on `sample` (`rows x dimension`, flat). Fewer centroids are
    /// returned when the sample has fewer rows than `clusters`.
    static func train(sample: [Float], dimension: Int, clusters: Int, iterations: Int = 10,
                      seed: UInt64) -> CentroidSet {
        let rows = sample.count / dimension
        precondition(rows > 0 && clusters > 0, "k-means needs a non-empty sample")
        let k = min(clusters, rows)
        var data = sample
        data.withUnsafeMutableBufferPointer { d in
            for r in 0..<rows { VectorMath.normalize(d.baseAddress! + r * dimension, dimension) }
        }
        var rng = SplitMix64(seed: seed)
        // Initial centroids: k distinct sample rows (partial Fisher-Yates).
        var order = Array(0..<rows)
        for i in 0..<k {
            let j = i + Int(rng.next() % UInt64(rows - i))
            order.swapAt(i, j)
        }
        var centroids = [Float](repeating: 0, count: k * dimension)
        for i in 0..<k {
            let src = order[i] * dimension
            for x in 0..<dimension { centroids[i * dimension + x] = data[src + x] }
        }
        var set = CentroidSet(dimension: dimension, centroids: centroids)
        for _ in 0..<iterations {
            let assignment = data.withUnsafeBufferPointer { set.nearest($0.baseAddress!, rows: rows, probes: 1) }
            var sums = [Float](repeating: 0, count: k * dimension)
            var sizes = [Int](repeating: 0, count: k)
            for r in 0..<rows {
                let c = Int(assignment[r])
                sizes[c] += 1
                let dst = c * dimension, src = r * dimension
                for x in 0..<dimension { sums[dst + x] += data[src + x] }
            }
            for c in 0..<k where sizes[c] == 0 {
                // Empty cluster: restart it on a random sample row so no list stays unused.
                let src = Int(rng.next() % UInt64(rows)) * dimension
                for x in 0..<dimension { sums[c * dimension + x] = data[src + x] }
            }
            sums.withUnsafeMutableBufferPointer { s in
                for c in 0..<k { VectorMath.normalize(s.baseAddress! + c * dimension, dimension) }
            }
            set = CentroidSet(dimension: dimension, centroids: sums)
        }
        return set
    }
}
