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

/// The search splits work over `SearchWorkers` (list scans, centroid ranking, and the in-chunk pairs
/// found on a worker while the kept rows are scored): the matches and the near misses must be the
/// same with one thread as with several, in both modes and with batches that cross chunk borders.
final class SearchThreadCountTests: XCTestCase {
    func testThreadCountDoesNotChangeMatchesOrNearMisses() {
        let d = SearchDeterminismTests.dimension
        let vectors = SearchDeterminismTests.vectors
        let before = SearchWorkers.count
        defer { SearchWorkers.count = before }
        for mode in [SemanticSearchMode.exact, .ivf] {
            var results: [Int: [SemanticMatch]] = [:]
            for threads in [1, 2, 3] {
                SearchWorkers.count = threads
                var selector = SemanticSelector(dimension: d, threshold: SearchDeterminismTests.threshold, mode: mode,
                                                expectedCount: vectors.count / d, nearMissFloor: 0.9)
                if selector.needsTraining { selector.train(sample: vectors) }
                var found = SearchTestVectors.run(&selector, vectors: vectors, batchSize: 2_100)
                found += [SemanticMatch(row: -1, duplicateOf: -1, similarity: 0)] + selector.takeNearMisses()
                results[threads] = found
            }
            XCTAssertGreaterThan(results[1]!.count, 600, "\(mode): planted duplicates and near misses")
            XCTAssertEqual(results[2]!, results[1]!, "\(mode)")
            XCTAssertEqual(results[3]!, results[1]!, "\(mode)")
        }
        // Against the rule written out directly (exact mode).
        SearchWorkers.count = 2
        var selector = SemanticSelector(dimension: d, threshold: SearchDeterminismTests.threshold, mode: .exact, expectedCount: vectors.count / d)
        XCTAssertEqual(SearchTestVectors.run(&selector, vectors: vectors, batchSize: 2_100),
                       SearchTestVectors.reference(vectors: vectors, dimension: d, threshold: SearchDeterminismTests.threshold))
    }

    /// `overlapping` returns both results, and when the main part throws it still waits for the side
    /// part before the error reaches the caller (which may then free what the side part reads).
    func testOverlappingWaitsForTheSideWorkEvenWhenTheMainWorkThrows() {
        let before = SearchWorkers.count
        defer { SearchWorkers.count = before }
        for threads in [1, 2] {
            SearchWorkers.count = threads
            let (a, b) = SearchWorkers.overlapping({ 6 * 7 }, with: { "side" })
            XCTAssertEqual(a, 42)
            XCTAssertEqual(b, "side")
            struct Failed: Error {}
            var sideDone = false
            XCTAssertThrowsError(try SearchWorkers.overlapping({ () throws -> Int in throw Failed() }, with: { () -> Int in
                usleep(100_000)
                sideDone = true
                return 1
            }))
            // One thread: one after the other, so the side part never started.
            XCTAssertEqual(sideDone, threads > 1, "threads \(threads)")
        }
    }
}
