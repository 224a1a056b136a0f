import XCTest
@testable import EntropyGuard

/// `SemanticSelector`'s near misses: kept rows whose best score to an earlier kept row reached the
/// floor, as the plain O(n^2) rule computes them; asking for them changes no decision.
final class SearchNearMissTests: XCTestCase {
    /// The kept rows' best scores over all earlier kept rows, where at least `floor`.
    private func referenceNearMisses(vectors: [Float], dimension: Int, threshold: Float, floor: Float) -> [SemanticMatch] {
        var kept: [Int] = []
        var misses: [SemanticMatch] = []
        vectors.withUnsafeBufferPointer { v in
            let base = v.baseAddress!
            for i in 0..<(vectors.count / dimension) {
                var best = BestMatch()
                for k in kept { best.offer(similarity: VectorMath.dot(base + i * dimension, base + k * dimension, dimension), id: Int64(k)) }
                if best.similarity >= threshold { continue }
                if best.similarity >= floor { misses.append(SemanticMatch(row: Int64(i), duplicateOf: best.id, similarity: best.similarity)) }
                kept.append(i)
            }
        }
        return misses
    }

    func testExactSearchReportsEveryNearMissAndKeepsItsDecisions() {
        let dimension = 24
        let vectors = SearchTestVectors.clustered(rows: 1500, dimension: dimension, clusters: 12, duplicateRate: 0.3)
        let threshold: Float = 0.93
        let floor: Float = 0.88
        let expected = referenceNearMisses(vectors: vectors, dimension: dimension, threshold: threshold, floor: floor)
        XCTAssertGreaterThan(expected.count, 10, "the data must have near misses")
        var plain = SemanticSelector(dimension: dimension, threshold: threshold, mode: .exact, expectedCount: 1500)
        let plainMatches = SearchTestVectors.run(&plain, vectors: vectors, batchSize: 700)
        XCTAssertEqual(plain.takeNearMisses(), [])
        for batch in [1, 333, 1500] {
            var selector = SemanticSelector(dimension: dimension, threshold: threshold, mode: .exact, expectedCount: 1500,
                                            nearMissFloor: floor)
            var misses: [SemanticMatch] = []
            var matches: [SemanticMatch] = []
            var start = 0
            while start < 1500 {
                let n = min(batch, 1500 - start)
                matches += selector.process(ids: (start..<(start + n)).map(Int64.init),
                                            vectors: Array(vectors[(start * dimension)..<((start + n) * dimension)])) { kept in
                    kept.flatMap { vectors[(Int($0) * dimension)..<((Int($0) + 1) * dimension)] }
                }
                misses += selector.takeNearMisses()
                start += n
            }
            XCTAssertEqual(matches, plainMatches, "batch \(batch)")
            XCTAssertEqual(misses.map(\.row), expected.map(\.row), "batch \(batch)")
            XCTAssertEqual(misses.map(\.duplicateOf), expected.map(\.duplicateOf))
            for (got, want) in zip(misses, expected) { XCTAssertEqual(got.similarity, want.similarity, accuracy: 1e-6) }
        }
    }
}
