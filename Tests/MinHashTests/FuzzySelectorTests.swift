import Foundation
@testable import MinHash
import SplitMix
import XCTest

final class FuzzySelectorTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "minhash-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // The selector removes its own folder: anything left here is a leak.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(left, [])
        try FileManager.default.removeItem(atPath: directory)
    }

    /// The rule in its plainest form: one dictionary per band holding every kept row, in memory.
    static func reference(_ signatures: MinHashSignatures, ids: [Int64], lsh: LSHParameters) -> [FuzzyDrop] {
        var tables = [[UInt64: [Int]]](repeating: [:], count: lsh.bands)
        var drops: [FuzzyDrop] = []
        let p = signatures.permutations
        signatures.values.withUnsafeBufferPointer { values in
            for row in 0..<signatures.count {
                let signature = values.baseAddress! + row * p
                let keys = (0..<lsh.bands).map { lsh.bandKey(signature, band: $0) }
                var candidates = Set<Int>()
                for (band, key) in keys.enumerated() { candidates.formUnion(tables[band][key] ?? []) }
                var best: (equal: Int, row: Int)?
                for candidate in candidates.sorted() {
                    let equal = MinHashSignatures.equalCount(signature, values.baseAddress! + candidate * p, count: p)
                    if Double(equal) / Double(p) >= lsh.threshold, equal > (best?.equal ?? -1) { best = (equal, candidate) }
                }
                if let best {
                    drops.append(FuzzyDrop(row: ids[row], duplicateOf: ids[best.row], similarity: Double(best.equal) / Double(p)))
                } else {
                    for (band, key) in keys.enumerated() { tables[band][key, default: []].append(row) }
                }
            }
        }
        return drops
    }

    /// Runs the selector over uneven batches; with `taking`, drops are taken after every batch.
    private func select(_ signatures: MinHashSignatures, ids: [Int64], lsh: LSHParameters, blockRows: Int,
                        batch: Int = 100, taking: Bool = false) throws -> ([FuzzyDrop], FuzzySelector.Statistics) {
        let selector = try FuzzySelector(lsh: lsh, temporaryDirectory: directory, blockRows: blockRows)
        var taken: [FuzzyDrop] = []
        var start = 0
        var size = 1
        while start < signatures.count {
            let end = min(signatures.count, start + size)
            let slice = MinHashSignatures(permutations: signatures.permutations,
                                          values: Array(signatures.values[(start * signatures.permutations)..<(end * signatures.permutations)]))
            try selector.append(slice, rowIDs: Array(ids[start..<end]))
            if taking { taken += selector.takeDrops() }
            start = end
            size = size % batch + 17   // uneven batches
        }
        let drops = taken + (try selector.finish())
        return (drops, selector.statistics)
    }

    /// Clusters of near-copies (random word edits of a base, or of an earlier copy: chains), exact
    /// copies, and unrelated rows, in shuffled order.
    private static let corpus: (texts: [String], ids: [Int64]) = {
        var random = SplitMix64(seed: 99)
        let vocabulary = (0..<3000).map { "v\($0)" }
        var texts: [String] = []
        for _ in 0..<400 {
            var words = (0..<(20 + Int(random.next() % 120))).map { _ in vocabulary[Int(random.next() % 3000)] }
            texts.append(words.joined(separator: " "))
            for _ in 0..<Int(random.next() % 12) {
                for _ in 0..<Int(random.next() % 6) {
                    let position = Int(random.next() % UInt64(words.count))
                    switch random.next() % 4 {
                    case 0: words[position] = vocabulary[Int(random.next() % 3000)]
                    case 1: if words.count > 5 { words.remove(at: position) }
                    case 2: words.insert(vocabulary[Int(random.next() % 3000)], at: position)
                    default: words.swapAt(position, Int(random.next() % UInt64(words.count)))
                    }
                }
                texts.append(words.joined(separator: " "))
            }
        }
        for i in stride(from: texts.count - 1, to: 0, by: -1) { texts.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        // Row ids need not be contiguous: the store's ids after earlier drops.
        let ids = (0..<texts.count).map { Int64($0 * 3 + 10) }
        return (texts, ids)
    }()

    func testMatchesTheInMemoryRuleWhateverTheBlockSizeAndBatches() throws {
        let (texts, ids) = Self.corpus
        let signatures = try MinHasher().signatures(of: texts)
        let lsh = try LSHParameters(threshold: 0.8, permutations: 128)
        let expected = Self.reference(signatures, ids: ids, lsh: lsh)
        XCTAssertGreaterThan(expected.count, 500)
        XCTAssertLessThan(expected.count, texts.count - 400)
        for blockRows in [13, 500, 4096] {
            let (drops, statistics) = try select(signatures, ids: ids, lsh: lsh, blockRows: blockRows, taking: blockRows == 500)
            XCTAssertEqual(drops, expected, "blockRows \(blockRows)")
            XCTAssertEqual(statistics.rows, texts.count)
            XCTAssertEqual(statistics.blocks, (texts.count + blockRows - 1) / blockRows)
            XCTAssertEqual(statistics.drops, expected.count)
            XCTAssertGreaterThan(statistics.rejectedPairs, 0, "some candidates fail verification")
        }
        // One row per block (every decision against merged runs), on the first 600 rows.
        let prefix = MinHashSignatures(permutations: 128, values: Array(signatures.values[0..<(600 * 128)]))
        XCTAssertEqual(try select(prefix, ids: Array(ids[0..<600]), lsh: lsh, blockRows: 1).0,
                       Self.reference(prefix, ids: Array(ids[0..<600]), lsh: lsh))
        // A lower threshold with another banding: again the same as the plain rule.
        let loose = try LSHParameters(threshold: 0.5, permutations: 128)
        XCTAssertEqual(try select(signatures, ids: ids, lsh: loose, blockRows: 77).0, Self.reference(signatures, ids: ids, lsh: loose))
    }

    /// Signatures built by hand: the first 32 entries (4 bands x 8 rows) are shared, so every pair is a
    /// candidate; the rest set the similarities.
    private func handmade(_ rows: [[Int: UInt32]]) -> MinHashSignatures {
        var values: [UInt32] = []
        for changes in rows {
            var row = (0..<128).map { UInt32($0) }
            for (position, value) in changes { row[position] = value }
            values += row
        }
        return MinHashSignatures(permutations: 128, values: values)
    }

    func testNoChaining() throws {
        // B differs from A in 20 entries (0.84), C from B in 20 others (0.84), C from A in 40 (0.69).
        let a: [Int: UInt32] = [:]
        let b = Dictionary(uniqueKeysWithValues: (40..<60).map { ($0, UInt32(1000 + $0)) })
        let c = b.merging((80..<100).map { ($0, UInt32(2000 + $0)) }) { $1 }
        let signatures = handmade([a, b, c])
        XCTAssertEqual(signatures.similarity(0, 1), 108.0 / 128)
        XCTAssertEqual(signatures.similarity(1, 2), 108.0 / 128)
        XCTAssertEqual(signatures.similarity(0, 2), 88.0 / 128)
        let lsh = try LSHParameters(bands: 4, rows: 8, threshold: 0.8, permutations: 128)
        let drops = try select(signatures, ids: [1, 2, 3], lsh: lsh, blockRows: 2).0
        XCTAssertEqual(drops, [FuzzyDrop(row: 2, duplicateOf: 1, similarity: 108.0 / 128)])   // C stays
        XCTAssertEqual(Self.reference(signatures, ids: [1, 2, 3], lsh: lsh), drops)
    }

    func testPointsAtTheMostSimilarKeptRowAndTheEarliestOnTies() throws {
        // K1 and K2 agree on 88 entries (0.69: both kept). X agrees with K1 on 108, with K2 on 108 (tie),
        // Y with K1 on 104 and with K2 on 112.
        let k1: [Int: UInt32] = Dictionary(uniqueKeysWithValues: (32..<72).map { ($0, UInt32(5000 + $0)) })
        let k2: [Int: UInt32] = Dictionary(uniqueKeysWithValues: (32..<72).map { ($0, UInt32(6000 + $0)) })
        let x = Dictionary(uniqueKeysWithValues: (32..<52).map { ($0, UInt32(5000 + $0)) } + (52..<72).map { ($0, UInt32(6000 + $0)) })
        let y = Dictionary(uniqueKeysWithValues: (32..<48).map { ($0, UInt32(5000 + $0)) } + (48..<72).map { ($0, UInt32(6000 + $0)) })
        let signatures = handmade([k1, k2, x, y])
        let lsh = try LSHParameters(bands: 4, rows: 8, threshold: 0.8, permutations: 128)
        for blockRows in [1, 3, 10] {
            let drops = try select(signatures, ids: [10, 20, 30, 40], lsh: lsh, blockRows: blockRows).0
            XCTAssertEqual(drops, [FuzzyDrop(row: 30, duplicateOf: 10, similarity: 108.0 / 128),
                                   FuzzyDrop(row: 40, duplicateOf: 20, similarity: 112.0 / 128)], "blockRows \(blockRows)")
        }
    }

    /// Text pairs with true Jaccard (word 5-gram sets) of about 0.95, 0.85, 0.6 and 0.3, 150 pairs each,
    /// at threshold 0.8 with 128 permutations (9 bands x 13 rows). Pairs below the threshold are never
    /// dropped; pairs above are dropped when LSH makes them candidates, with the probability the banding
    /// promises: 1 - (1 - J^13)^9 = 0.998 at 0.95 and 0.70 at 0.852 (times the chance that the estimate of
    /// such a pair stays >= 0.8, 0.94 to 1 given that its bands agree).
    func testKnownJaccardPairsFollowTheThreshold() throws {
        let shingler = Shingler(setting: .defaultSetting)
        var random = SplitMix64(seed: 31)
        let n = 204                                   // 200 shingles
        var texts: [String] = []
        var levels: [(nominal: Double, truth: Double)] = []
        for (level, nominal) in [0.95, 0.85, 0.6, 0.3].enumerated() {
            // Replacing the last k words leaves 200 - k shared shingles of 200 + k: J = (200 - k) / (200 + k).
            let k = Int(((200 * (1 - nominal)) / (1 + nominal)).rounded())
            for pair in 0..<150 {
                let words = (0..<n).map { "l\(level)p\(pair)w\($0)r\(random.next() % 100_000)" }
                let edited = Array(words[0..<(n - k)]) + (0..<k).map { "new\($0)r\(random.next() % 100_000)" }
                let a = words.joined(separator: " ")
                let b = edited.joined(separator: " ")
                let truth = MinHasherTests.jaccard(Set(shingler.shingles(a)), Set(shingler.shingles(b)))
                XCTAssertEqual(truth, nominal, accuracy: 0.006)
                texts += [a, b]
                levels.append((nominal, truth))
            }
        }
        let signatures = try MinHasher().signatures(of: texts)
        let lsh = try LSHParameters(threshold: 0.8, permutations: 128)
        XCTAssertEqual(lsh.bands, 9)
        XCTAssertEqual(lsh.rows, 13)
        let ids = (0..<Int64(texts.count)).map { $0 }
        let drops = try select(signatures, ids: ids, lsh: lsh, blockRows: 100).0
        XCTAssertEqual(drops, Self.reference(signatures, ids: ids, lsh: lsh))
        var dropped: [Double: Int] = [:]
        for drop in drops {
            XCTAssertEqual(drop.row, drop.duplicateOf + 1, "only the pairs' second rows go, to their first")
            XCTAssertGreaterThanOrEqual(drop.similarity, 0.8)
            dropped[levels[Int(drop.row) / 2].nominal, default: 0] += 1
        }
        print("dropped of 150 pairs per true Jaccard: \(dropped.sorted { $0.key > $1.key })")
        XCTAssertGreaterThanOrEqual(dropped[0.95] ?? 0, 147)
        XCTAssertTrue((80...125).contains(dropped[0.85] ?? 0), "\(dropped[0.85] ?? 0)")   // expected about 100
        XCTAssertNil(dropped[0.6])
        XCTAssertNil(dropped[0.3])
        // With every pair a candidate (32 bands x 4 rows), only the estimate decides.
        let wide = try LSHParameters(bands: 32, rows: 4, threshold: 0.8, permutations: 128)
        var wideDropped: [Double: Int] = [:]
        for drop in try select(signatures, ids: ids, lsh: wide, blockRows: 1000).0 { wideDropped[levels[Int(drop.row) / 2].nominal, default: 0] += 1 }
        XCTAssertEqual(wideDropped[0.95], 150)
        XCTAssertGreaterThanOrEqual(wideDropped[0.85] ?? 0, 132)                                // expected 141
        XCTAssertNil(wideDropped[0.6])
        XCTAssertNil(wideDropped[0.3])
    }
}
