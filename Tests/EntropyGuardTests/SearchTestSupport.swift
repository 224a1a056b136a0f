import SplitMix
@testable import EntropyGuard

/// Deterministic clustered unit vectors with planted near duplicates, for the search tests.
enum SearchTestVectors {
    static func normalized(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    static func uniform(_ rng: inout SplitMix64) -> Float {
        Float(Double(rng.next() >> 11) / Double(1 << 53)) * 2 - 1
    }

    /// `rows x dimension` flat vectors around `clusters` random centres; about `duplicateRate`
    /// of the rows are a slightly perturbed copy of a recent earlier row.
    static func clustered(rows: Int, dimension: Int, clusters: Int, duplicateRate: Double = 0.2,
                          seed: UInt64 = 7) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let centres = (0..<clusters).map { _ in normalized((0..<dimension).map { _ in uniform(&rng) }) }
        var out: [Float] = []
        out.reserveCapacity(rows * dimension)
        for r in 0..<rows {
            var v: [Float]
            if r > 0 && Double(rng.next() % 1000) < duplicateRate * 1000 {
                let source = r - 1 - Int(rng.next() % UInt64(min(r, 200)))
                // Noise from tiny to about the threshold, so some planted pairs sit near it.
                let scale = Float(rng.next() % 1000) / 1000 * 0.12
                v = (0..<dimension).map { out[source * dimension + $0] + scale * uniform(&rng) }
            } else {
                let centre = centres[Int(rng.next() % UInt64(clusters))]
                v = (0..<dimension).map { centre[$0] + 0.9 * uniform(&rng) }
            }
            out += normalized(v)
        }
        return out
    }

    /// The selection rule written out directly: O(n^2), one row at a time.
    static func reference(vectors: [Float], dimension: Int, threshold: Float) -> [SemanticMatch] {
        let rows = vectors.count / dimension
        var kept: [Int] = []
        var matches: [SemanticMatch] = []
        vectors.withUnsafeBufferPointer { v in
            let base = v.baseAddress!
            for i in 0..<rows {
                var bestSimilarity = -Float.infinity
                var bestRow = -1
                for k in kept {
                    let s = VectorMath.dot(base + i * dimension, base + k * dimension, dimension)
                    if s > bestSimilarity { bestSimilarity = s; bestRow = k }
                }
                if bestRow >= 0 && bestSimilarity >= threshold {
                    matches.append(SemanticMatch(row: Int64(i), duplicateOf: Int64(bestRow), similarity: bestSimilarity))
                } else {
                    kept.append(i)
                }
            }
        }
        return matches
    }

    /// Runs a selector over `vectors` in batches of `batchSize` rows (ids = row index).
    static func run(_ selector: inout SemanticSelector, vectors: [Float], batchSize: Int) -> [SemanticMatch] {
        let d = selector.dimension
        let rows = vectors.count / d
        var matches: [SemanticMatch] = []
        var start = 0
        while start < rows {
            let n = min(batchSize, rows - start)
            let ids = (start..<(start + n)).map(Int64.init)
            matches += selector.process(ids: ids, vectors: Array(vectors[(start * d)..<((start + n) * d)]),
                                        keptVectors: rowsOf(vectors, dimension: d))
            start += n
        }
        return matches
    }

    /// The selector's read-back of kept vectors when ids are row indexes of `vectors`.
    static func rowsOf(_ vectors: [Float], dimension d: Int) -> ([Int64]) -> [Float] {
        { ids in ids.flatMap { vectors[(Int($0) * d)..<((Int($0) + 1) * d)] } }
    }

    /// A trained selector (ivf trains on every row of `vectors`).
    static func selector(_ mode: SemanticSearchMode, vectors: [Float], dimension: Int, threshold: Float) -> SemanticSelector {
        var s = SemanticSelector(dimension: dimension, threshold: threshold, mode: mode,
                                 expectedCount: vectors.count / dimension)
        if s.needsTraining { s.train(sample: vectors) }
        return s
    }
}
