import SplitMix
import XCTest
@testable import EntropyGuard

/// The selector keeps kept rows only as bfloat16 and re-checks candidates with their float32 vectors
/// (`KeptVectorSource`): its decisions must be exactly those of a float32 search, on data built so
/// that many pairs sit within bfloat16's error of the threshold.
final class SearchCompactScoringTests: XCTestCase {
    static let dimension = 32
    static let threshold: Float = 0.96

    /// Unit vectors around random centres; 30% are a copy of a recent row turned away from it so that
    /// their cosine with it is uniform in threshold ± 0.002 (about half bfloat16's error bound).
    static let vectors: [Float] = {
        let d = dimension
        var rng = SplitMix64(seed: 2026)
        let centres = (0..<50).map { _ in SearchTestVectors.normalized((0..<d).map { _ in SearchTestVectors.uniform(&rng) }) }
        var out: [Float] = []
        for r in 0..<3000 {
            if r > 0 && rng.next() % 10 < 4 {
                let source = Array(out[((r - 1 - Int(rng.next() % UInt64(min(r, 300)))) * d)...].prefix(d))
                // A random direction orthogonal to the source, of length tan(acos(c)).
                var u = (0..<d).map { _ in SearchTestVectors.uniform(&rng) }
                let along = zip(u, source).reduce(0) { $0 + $1.0 * $1.1 }
                u = SearchTestVectors.normalized(zip(u, source).map { $0 - along * $1 })
                let c = threshold + (Float(rng.next() % 10_000) / 10_000 - 0.5) * 0.004
                let length = (1 / (c * c) - 1).squareRoot()
                out += SearchTestVectors.normalized(zip(source, u).map { $0 + length * $1 })
            } else {
                let centre = centres[Int(rng.next() % 50)]
                out += SearchTestVectors.normalized((0..<d).map { centre[$0] + 0.9 * SearchTestVectors.uniform(&rng) })
            }
        }
        return out
    }()

    /// The selection rule on float32 vectors (computed once: the tests run unoptimized).
    static let expected = SearchTestVectors.reference(vectors: vectors, dimension: dimension, threshold: threshold)

    /// The IVF rule written out with float32 vectors: a row sees the kept rows filed under one of its
    /// probed lists (the selector's own centroids), takes the most similar (ties to the lower id).
    static func referenceIVF(centroids: CentroidSet, probes: Int) -> [SemanticMatch] {
        let d = dimension
        let rows = vectors.count / d
        return vectors.withUnsafeBufferPointer { v in
            let base = v.baseAddress!
            let probed = centroids.nearest(base, rows: rows, probes: probes)
            var keptIn = [[Int]](repeating: [], count: centroids.count)
            var matches: [SemanticMatch] = []
            for i in 0..<rows {
                var best = BestMatch()
                for list in probed[(i * probes)..<((i + 1) * probes)] {
                    for k in keptIn[Int(list)] {
                        best.offer(similarity: VectorMath.dot(base + i * d, base + k * d, d), id: Int64(k))
                    }
                }
                if best.similarity >= threshold {
                    matches.append(SemanticMatch(row: Int64(i), duplicateOf: best.id, similarity: best.similarity))
                } else {
                    keptIn[Int(probed[i * probes])].append(i)
                }
            }
            return matches
        }
    }

    /// The data is hard for bfloat16: with the kept rows' bfloat16 scores alone, the direct rule would
    /// decide some rows differently.
    func testTheDataHasPairsWithinBfloat16sError() {
        let d = Self.dimension
        let exact = Self.expected
        let widened = Self.vectors.map { CompactVector.widen(CompactVector.round($0)) }
        let nearThreshold = exact.filter { abs($0.similarity - Self.threshold) < 1.0 / 256 }.count
        XCTAssertGreaterThan(nearThreshold, 300)
        // Every widened component is within bfloat16's bound (half a unit in the 8th bit) of the original.
        for (a, b) in zip(Self.vectors, widened) { XCTAssertLessThanOrEqual(abs(a - b), abs(a) / 256) }
        // Row i against kept k, scored with k rounded: some decisions flip.
        var flips = 0
        Self.vectors.withUnsafeBufferPointer { v in
            widened.withUnsafeBufferPointer { w in
                for m in exact {
                    let q = v.baseAddress! + Int(m.row) * d
                    if VectorMath.dot(q, w.baseAddress! + Int(m.duplicateOf) * d, d) < Self.threshold { flips += 1 }
                }
            }
        }
        XCTAssertGreaterThan(flips, 5, "bfloat16 scores alone would keep some duplicates")
    }

    /// Every kernel this CPU has (AMX rounds the queries too; AVX2 and the plain loop read them as float32).
    func testExactModeDecidesAsFloat32() {
        let d = Self.dimension
        let expected = Self.expected
        XCTAssertGreaterThan(expected.count, 400)
        for kernel in SearchKernel.available {
            var selector = SearchTestVectors.selector(.exact, vectors: Self.vectors, dimension: d, threshold: Self.threshold)
            selector.kernel = kernel
            XCTAssertEqual(SearchTestVectors.run(&selector, vectors: Self.vectors, batchSize: 700), expected, "\(kernel)")
        }
    }

    func testIVFDecidesAsFloat32IVF() throws {
        for kernel in SearchKernel.available { try checkIVFDecidesAsFloat32IVF(kernel) }
    }

    func checkIVFDecidesAsFloat32IVF(_ kernel: SearchKernel) throws {
        let d = Self.dimension
        var selector = SearchTestVectors.selector(.ivf, vectors: Self.vectors, dimension: d, threshold: Self.threshold)
        selector.kernel = kernel
        let centroids = try XCTUnwrap(selector.centroids)
        XCTAssertGreaterThan(centroids.count, 30)
        let expected = Self.referenceIVF(centroids: centroids, probes: selector.probes)
        XCTAssertGreaterThan(expected.count, 400)
        var asked = 0
        var matches: [SemanticMatch] = []
        var start = 0
        while start < Self.vectors.count / d {
            let n = min(700, Self.vectors.count / d - start)
            matches += selector.process(ids: (start..<(start + n)).map(Int64.init),
                                        vectors: Array(Self.vectors[(start * d)..<((start + n) * d)])) { ids in
                asked += ids.count
                return SearchTestVectors.rowsOf(Self.vectors, dimension: d)(ids)
            }
            start += n
        }
        XCTAssertEqual(matches, expected, "\(kernel)")
        // Only candidates are read back, not every kept row.
        XCTAssertGreaterThan(asked, 0)
        XCTAssertLessThan(asked, 3 * expected.count)
    }
}
