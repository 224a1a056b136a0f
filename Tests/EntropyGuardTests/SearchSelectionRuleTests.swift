import XCTest
@testable import EntropyGuard

/// The selection rule on hand-made vectors, in both search modes.
final class SearchSelectionRuleTests: XCTestCase {
    private func select(_ rows: [[Float]], threshold: Float, mode: SemanticSearchMode = .exact,
                        batchSize: Int = 64) -> (matches: [SemanticMatch], kept: Int) {
        let flat = rows.flatMap { $0 }
        var selector = SearchTestVectors.selector(mode, vectors: flat, dimension: rows[0].count, threshold: threshold)
        let matches = SearchTestVectors.run(&selector, vectors: flat, batchSize: batchSize)
        return (matches, selector.keptCount)
    }

    private func unit(_ angleDegrees: Double) -> [Float] {
        let a = angleDegrees * .pi / 180
        return [Float(cos(a)), Float(sin(a))]
    }

    func testChainKeepsFirstAndLast() {
        // A~B (cos 30deg = 0.87) and B~C, but A!~C (cos 60deg = 0.5): B goes, C stays.
        for mode in [SemanticSearchMode.exact, .ivf] {
            let r = select([unit(0), unit(30), unit(60)], threshold: 0.8, mode: mode)
            XCTAssertEqual(r.matches.map(\.row), [1], "\(mode)")
            XCTAssertEqual(r.matches.first?.duplicateOf, 0)
            XCTAssertEqual(r.kept, 2)
        }
    }

    func testPicksMostSimilarKeptRow() {
        // Rows 0 and 1 are apart (cos 0.77); row 2 is above 0.8 with both, closer to row 1.
        let r = select([unit(0), unit(40), unit(35)], threshold: 0.8)
        XCTAssertEqual(r.matches, [SemanticMatch(row: 2, duplicateOf: 1, similarity: r.matches.first?.similarity ?? 0)])
        XCTAssertEqual(Double(r.matches[0].similarity), cos(5 * Double.pi / 180), accuracy: 1e-5)
    }

    func testTieGoesToLowerRowId() {
        // Row 2 has exactly the same dot product with rows 0 and 1.
        let c = SearchTestVectors.normalized([1, 1, 0.2])
        for mode in [SemanticSearchMode.exact, .ivf] {
            let r = select([[1, 0, 0], [0, 1, 0], c], threshold: 0.5, mode: mode, batchSize: 1)
            XCTAssertEqual(r.matches.map(\.duplicateOf), [0], "\(mode)")
        }
    }

    func testThresholdOneFlagsOnlyIdenticalVectors() {
        let near = SearchTestVectors.normalized([1, 0.01, 0, 0])
        let r = select([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], near, [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]],
                       threshold: 1)
        XCTAssertEqual(r.matches, [SemanticMatch(row: 2, duplicateOf: 0, similarity: 1),
                                   SemanticMatch(row: 5, duplicateOf: 4, similarity: 1)])
    }

    func testThresholdZeroFlagsEveryNonNegativeCosine() {
        // Orthogonal rows (cos 0) are duplicates at threshold 0; the opposite vector is not.
        let r = select([[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0]], threshold: 0)
        XCTAssertEqual(r.matches, [SemanticMatch(row: 1, duplicateOf: 0, similarity: 0),
                                   SemanticMatch(row: 2, duplicateOf: 0, similarity: 0)])
        XCTAssertEqual(r.kept, 2)
    }

    func testAllIdenticalKeepsOnlyTheFirst() {
        let v = SearchTestVectors.normalized((0..<48).map { Float($0 % 7) - 2.5 })
        for mode in [SemanticSearchMode.exact, .ivf] {
            let r = select(Array(repeating: v, count: 100), threshold: 0.99, mode: mode, batchSize: 7)
            XCTAssertEqual(r.kept, 1, "\(mode)")
            XCTAssertEqual(r.matches.map(\.row), (1..<100).map(Int64.init))
            XCTAssertTrue(r.matches.allSatisfy { $0.duplicateOf == 0 && abs($0.similarity - 1) < 1e-5 })
        }
    }

    func testAllOrthogonalKeepsEverything() {
        let d = 40
        let rows = (0..<d).map { i in (0..<d).map { $0 == i ? Float(1) : 0 } }
        for mode in [SemanticSearchMode.exact, .ivf] {
            let r = select(rows, threshold: 0.1, mode: mode)
            XCTAssertEqual(r.matches, [], "\(mode)")
            XCTAssertEqual(r.kept, d)
        }
    }

    func testDuplicateOfEarlierRowInSameBatch() {
        var selector = SemanticSelector(dimension: 2, threshold: 0.8, mode: .exact, expectedCount: 10)
        let first = selector.process(ids: [10], vectors: unit(90)) { _ in XCTFail("nothing is kept yet"); return [] }
        XCTAssertEqual(first, [])
        // One batch: 11 new, 12 dup of 11 (same batch), 13 dup of 10 (earlier batch), 14 chain of 12 only.
        let batch = [unit(0), unit(5), unit(85), unit(38)]
        var askedFor: [[Int64]] = []
        let matches = selector.process(ids: [11, 12, 13, 14], vectors: batch.flatMap { $0 }) { ids in
            askedFor.append(ids)
            return ids.flatMap { $0 == 10 ? self.unit(90) : [] }
        }
        XCTAssertEqual(askedFor, [[10]], "only the earlier batch's kept row is read back")
        XCTAssertEqual(matches.map(\.row), [12, 13])
        XCTAssertEqual(matches.map(\.duplicateOf), [11, 10])
        XCTAssertEqual(selector.keptCount, 3)
    }

    func testEmptyBatchAndAutoMode() {
        var small = SemanticSelector(dimension: 4, threshold: 0.9, mode: .auto, expectedCount: 1000)
        XCTAssertEqual(small.mode, .exact)
        XCTAssertFalse(small.needsTraining)
        XCTAssertEqual(small.process(ids: [], vectors: []) { _ in [] }, [])
        let large = SemanticSelector(dimension: 4, threshold: 0.9, mode: .auto, expectedCount: 1_000_000)
        XCTAssertEqual(large.mode, .ivf)
        XCTAssertTrue(large.needsTraining)
    }
}
