import XCTest
import COpenBLAS
@testable import EntropyGuard

/// Results must not depend on batch size, and exact mode must follow the rule to the letter.
final class SearchDeterminismTests: XCTestCase {
    // More rows than `SemanticSelector.chunkRows`, so internal chunk borders are crossed too.
    static let dimension = 32
    static let vectors = SearchTestVectors.clustered(rows: 5000, dimension: dimension, clusters: 40)
    static let threshold: Float = 0.95

    func testExactMatchesTheDirectRule() {
        let d = Self.dimension
        let expected = SearchTestVectors.reference(vectors: Self.vectors, dimension: d, threshold: Self.threshold)
        XCTAssertGreaterThan(expected.count, 500, "generator should plant many duplicates")
        var selector = SearchTestVectors.selector(.exact, vectors: Self.vectors, dimension: d, threshold: Self.threshold)
        let got = SearchTestVectors.run(&selector, vectors: Self.vectors, batchSize: 1000)
        XCTAssertEqual(got, expected)
        XCTAssertEqual(selector.keptCount, 5000 - expected.count)
    }

    func testBatchSizeDoesNotChangeMatches() {
        for mode in [SemanticSearchMode.exact, .ivf] {
            var results: [Int: [SemanticMatch]] = [:]
            for batchSize in [1, 3, 64, 5000] {
                var selector = SearchTestVectors.selector(mode, vectors: Self.vectors, dimension: Self.dimension,
                                                          threshold: Self.threshold)
                results[batchSize] = SearchTestVectors.run(&selector, vectors: Self.vectors, batchSize: batchSize)
            }
            XCTAssertGreaterThan(results[1]!.count, 500)
            for batchSize in [3, 64, 5000] {
                XCTAssertEqual(results[batchSize]!, results[1]!, "\(mode) batch \(batchSize)")
            }
        }
    }

    func testBLASThreadCountDoesNotChangeMatches() {
        let before = openblas_get_num_threads()
        defer { openblas_set_num_threads(before) }
        for mode in [SemanticSearchMode.exact, .ivf] {
            var results: [[SemanticMatch]] = []
            for threads: Int32 in [1, 2] {
                openblas_set_num_threads(threads)
                var selector = SearchTestVectors.selector(mode, vectors: Self.vectors, dimension: Self.dimension,
                                                          threshold: Self.threshold)
                results.append(SearchTestVectors.run(&selector, vectors: Self.vectors, batchSize: 5000))
            }
            XCTAssertEqual(results[0], results[1], "\(mode)")
        }
    }

    func testTrainingSampleRowsAreEvenlySpreadAndDistinct() {
        XCTAssertEqual(SemanticSelector.trainingSampleRows(total: 10, limit: 50), Array(0..<10))
        let rows = SemanticSelector.trainingSampleRows(total: 1_000_000, limit: 50_000)
        XCTAssertEqual(rows.count, 50_000)
        XCTAssertEqual(rows.first, 0)
        XCTAssertEqual(rows[1], 20)
        XCTAssertEqual(Set(rows).count, 50_000)
        XCTAssertLessThan(rows.last!, 1_000_000)
    }

    func testTrainingIsDeterministic() {
        var a = SearchTestVectors.selector(.ivf, vectors: Self.vectors, dimension: Self.dimension, threshold: Self.threshold)
        var b = SearchTestVectors.selector(.ivf, vectors: Self.vectors, dimension: Self.dimension, threshold: Self.threshold)
        XCTAssertEqual(SearchTestVectors.run(&a, vectors: Self.vectors, batchSize: 777),
                       SearchTestVectors.run(&b, vectors: Self.vectors, batchSize: 500))
    }
}
