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
}
