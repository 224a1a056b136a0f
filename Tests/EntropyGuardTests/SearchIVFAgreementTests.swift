import XCTest
@testable import EntropyGuard

/// IVF must reproduce exact's decisions on clustered data and never invent a pair below threshold.
final class SearchIVFAgreementTests: XCTestCase {
    func testIVFAgreesWithExactOnClusteredVectors() {
        let d = 64, threshold: Float = 0.95
        let vectors = SearchTestVectors.clustered(rows: 4000, dimension: d, clusters: 60, seed: 11)
        var exact = SearchTestVectors.selector(.exact, vectors: vectors, dimension: d, threshold: threshold)
        var ivf = SearchTestVectors.selector(.ivf, vectors: vectors, dimension: d, threshold: threshold)
        XCTAssertGreaterThan(ivf.listCount, 30)
        let exactMatches = SearchTestVectors.run(&exact, vectors: vectors, batchSize: 512)
        let ivfMatches = SearchTestVectors.run(&ivf, vectors: vectors, batchSize: 512)
        XCTAssertGreaterThan(exactMatches.count, 400)

        // Every IVF match is a real pair at or above the threshold, with the exact dot product.
        vectors.withUnsafeBufferPointer { v in
            for m in ivfMatches {
                let s = VectorMath.dot(v.baseAddress! + Int(m.row) * d, v.baseAddress! + Int(m.duplicateOf) * d, d)
                XCTAssertEqual(s, m.similarity)
                XCTAssertGreaterThanOrEqual(m.similarity, threshold)
                XCTAssertLessThan(m.duplicateOf, m.row)
            }
        }
        // Same decision (kept, or duplicate of the same row) for >= 99% of rows.
        let exactByRow = Dictionary(uniqueKeysWithValues: exactMatches.map { ($0.row, $0.duplicateOf) })
        let ivfByRow = Dictionary(uniqueKeysWithValues: ivfMatches.map { ($0.row, $0.duplicateOf) })
        let differing = Set(exactByRow.keys).union(ivfByRow.keys).filter { exactByRow[$0] != ivfByRow[$0] }
        XCTAssertLessThanOrEqual(Double(differing.count), 0.01 * Double(exactMatches.count),
                                 "ivf differs from exact on \(differing.count) rows")
    }
}
