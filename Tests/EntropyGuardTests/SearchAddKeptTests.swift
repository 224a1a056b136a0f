import XCTest
@testable import EntropyGuard

/// `SemanticSelector.addKept` (a reference corpus's kept rows, filed without being decided): the later
/// rows' matches are those of processing everything, since processing the reference files exactly
/// its kept rows, under the same lists.
final class SearchAddKeptTests: XCTestCase {
    func testFilingTheKeptRowsGivesTheLaterRowsTheMatchesOfProcessingEverything() {
        let d = 32
        let vectors = SearchTestVectors.clustered(rows: 5000, dimension: d, clusters: 40)
        let split = 3000
        for mode in [SemanticSearchMode.exact, .ivf] {
            var all = SearchTestVectors.selector(mode, vectors: vectors, dimension: d, threshold: 0.95)
            let everything = SearchTestVectors.run(&all, vectors: vectors, batchSize: 700)
            let dropped = Set(everything.filter { $0.row < split }.map(\.row))
            XCTAssertGreaterThan(dropped.count, 200, "\(mode)")
            let kept = (0..<Int64(split)).filter { !dropped.contains($0) }

            var filed = SearchTestVectors.selector(mode, vectors: vectors, dimension: d, threshold: 0.95)
            filed.addKept(ids: kept, vectors: kept.flatMap { vectors[(Int($0) * d)..<((Int($0) + 1) * d)] })
            XCTAssertEqual(filed.keptCount, kept.count)
            var later: [SemanticMatch] = []
            var start = split
            while start < 5000 {
                let end = min(start + 700, 5000)
                later += filed.process(ids: (start..<end).map(Int64.init), vectors: Array(vectors[(start * d)..<(end * d)])) { kept in
                    kept.flatMap { vectors[(Int($0) * d)..<((Int($0) + 1) * d)] }
                }
                start = end
            }
            let expected = everything.filter { $0.row >= split }
            XCTAssertGreaterThan(expected.filter { $0.duplicateOf < split }.count, 10, "\(mode): later rows matching filed ones")
            XCTAssertEqual(later, expected, "\(mode)")
        }
    }

    /// `start(centroids:)` and `addKept(list:ids:packed:norms:)` (a reference's persisted index:
    /// its rows already filed and packed as bfloat16) give the later rows the matches and near
    /// misses that `addKept(ids:vectors:)` of the same rows under the same centroids gives.
    func testFilingPrecomputedListsIsFilingTheVectors() {
        let d = 32
        let vectors = SearchTestVectors.clustered(rows: 5000, dimension: d, clusters: 40)
        let split = 3000
        let floor: Float = 0.9
        func selector() -> SemanticSelector {
            SemanticSelector(dimension: d, threshold: 0.95, mode: .ivf, expectedCount: 5000, nearMissFloor: floor)
        }
        var trained = selector()
        trained.train(sample: Array(vectors[..<(split * d)]))
        let centroids = try! XCTUnwrap(trained.centroids)
        XCTAssertGreaterThan(centroids.count, 10)

        // The reference's rows filed from their vectors.
        var filed = trained
        filed.addKept(ids: (0..<Int64(split)).map { $0 }, vectors: Array(vectors[..<(split * d)]))
        // The same rows as a persisted index holds them: per list, ids and packed bfloat16 rows.
        let pairs = CompactVector.pairs(dimension: d)
        var lists = [[Int64]](repeating: [], count: centroids.count)
        var packed = [[UInt32]](repeating: [], count: centroids.count)
        var norms = CompactVector.Norms()
        vectors.withUnsafeBufferPointer { v in
            let nearest = centroids.nearest(v.baseAddress!, rows: split, probes: trained.probes)
            for row in 0..<split {
                let list = Int(nearest[row * trained.probes])
                lists[list].append(Int64(row))
                let at = packed[list].count
                packed[list].append(contentsOf: repeatElement(0, count: pairs))
                let rowNorms = packed[list].withUnsafeMutableBufferPointer {
                    CompactVector.pack(v.baseAddress! + row * d, count: d, pairs: pairs, into: $0.baseAddress! + at, stride: 1)
                }
                norms.rounded = max(norms.rounded, rowNorms.rounded)
                norms.error = max(norms.error, rowNorms.error)
            }
        }
        var persisted = selector()
        persisted.start(centroids: centroids)
        for list in lists.indices where !lists[list].isEmpty {
            lists[list].withUnsafeBufferPointer { ids in
                packed[list].withUnsafeBufferPointer { persisted.addKept(list: list, ids: ids, packed: $0.baseAddress!, norms: norms) }
            }
        }
        XCTAssertEqual(persisted.keptCount, filed.keptCount)

        var results: [[SemanticMatch]] = []
        for var s in [filed, persisted] {
            var later: [SemanticMatch] = []
            var start = split
            while start < 5000 {
                let end = min(start + 700, 5000)
                later += s.process(ids: (start..<end).map(Int64.init), vectors: Array(vectors[(start * d)..<(end * d)]),
                                   keptVectors: SearchTestVectors.rowsOf(vectors, dimension: d))
                later += s.takeNearMisses().map { SemanticMatch(row: -$0.row, duplicateOf: $0.duplicateOf, similarity: $0.similarity) }
                start = end
            }
            results.append(later)
        }
        XCTAssertGreaterThan(results[0].filter { $0.row > 0 && $0.duplicateOf < split }.count, 10, "later rows matching filed ones")
        XCTAssertTrue(results[0].contains { $0.row < 0 }, "near misses")
        XCTAssertEqual(results[1], results[0])
    }
}
