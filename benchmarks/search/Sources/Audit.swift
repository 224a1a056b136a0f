import CBLAS

/// `search-bench audit matches.bin --rows N`: IVF recall where exact is too slow to run.
/// For evenly spaced rows of the second half, searches *all* earlier rows that the run kept
/// (brute force) and checks the run's decision: a row it kept should have no kept row at or
/// above the threshold, a duplicate should point at the most similar one.
func audit(_ args: [String]) {
    let rows = Int(option("rows", args) ?? "0")!
    let dim = Int(option("dim", args) ?? "384")!
    let threshold = Float(option("threshold", args) ?? "0.95")!
    let samples = Int(option("samples", args) ?? "1000")!
    let matches = readMatches(args[1])
    let generator = ClusteredVectors(dimension: dim, clusters: max(10, rows / 500))

    let sampled = (0..<samples).map { rows / 2 + $0 * (rows / 2) / samples }
    var queries: [Float] = []
    for r in sampled { generator.generate(start: r, count: 1, into: &queries) }
    var bestSimilarity = [Float](repeating: -.infinity, count: samples)
    var bestRow = [Int](repeating: -1, count: samples)

    let batch = 8192
    var vectors: [Float] = [], kept: [Float] = [], keptRows: [Int] = []
    var scores = [Float](repeating: 0, count: samples * batch)
    var start = 0
    let end = sampled.last!
    while start < end {
        let n = min(batch, end - start)
        vectors.removeAll(keepingCapacity: true)
        generator.generate(start: start, count: n, into: &vectors)
        kept.removeAll(keepingCapacity: true)
        keptRows.removeAll(keepingCapacity: true)
        for i in 0..<n where matches[Int64(start + i)] == nil {
            keptRows.append(start + i)
            kept += vectors[(i * dim)..<((i + 1) * dim)]
        }
        let m = keptRows.count
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(samples), Int32(m), Int32(dim), 1,
                    queries, Int32(dim), kept, Int32(dim), 0, &scores, Int32(m))
        for s in 0..<samples {
            for c in 0..<m where keptRows[c] < sampled[s] {
                guard scores[s * m + c] >= max(threshold, bestSimilarity[s]) - 1e-4 else { continue }
                let sim = fixedOrderDot(queries, s * dim, kept, c * dim, dim)
                if sim > bestSimilarity[s] || (sim == bestSimilarity[s] && keptRows[c] < bestRow[s]) {
                    bestSimilarity[s] = sim
                    bestRow[s] = keptRows[c]
                }
            }
        }
        start += n
    }
    var agree = 0, missed = 0, extra = 0, otherTarget = 0
    for s in 0..<samples {
        let referenceDuplicate = bestSimilarity[s] >= threshold
        switch (matches[Int64(sampled[s])], referenceDuplicate) {
        case (nil, false): agree += 1
        case (nil, true): missed += 1
        case (.some, false): extra += 1
        case (.some(let m), true): if Int(m.0) == bestRow[s] { agree += 1 } else { otherTarget += 1 }
        }
    }
    print("audit rows=\(rows) sampled=\(samples) reference_duplicates=\(bestSimilarity.filter { $0 >= threshold }.count)"
          + " agree=\(agree) missed=\(missed) extra=\(extra) other_target=\(otherTarget)")
}

/// Same summation order as the library's `VectorMath.dot` (8 lanes, then the tail).
func fixedOrderDot(_ a: [Float], _ ao: Int, _ b: [Float], _ bo: Int, _ count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        acc += SIMD8<Float>(a[(ao + i)..<(ao + i + 8)]) * SIMD8<Float>(b[(bo + i)..<(bo + i + 8)])
        i += 8
    }
    var tail: Float = 0
    while i < count { tail += a[ao + i] * b[bo + i]; i += 1 }
    return acc.sum() + tail
}
