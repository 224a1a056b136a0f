import Foundation
@testable import MinHash
import XCTest

/// `FuzzySelector.nearMissFloor`: kept rows whose best verified candidate came near the threshold are
/// reported (for the report's histogram), and the decisions stay the same.
final class FuzzyNearMissTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "minhash-nearmiss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    /// A, then B (0.84 with A), then C (0.84 with B, 0.69 with A). The first 32 entries are shared so
    /// every pair is a candidate.
    private func chain() -> MinHashSignatures {
        var values: [UInt32] = []
        let changes: [[Int: UInt32]] = [
            [:],
            Dictionary(uniqueKeysWithValues: (40..<60).map { ($0, UInt32(1000 + $0)) }),
            Dictionary(uniqueKeysWithValues: (40..<60).map { ($0, UInt32(1000 + $0)) } + (80..<100).map { ($0, UInt32(2000 + $0)) }),
        ]
        for change in changes {
            var row = (0..<128).map { UInt32($0) }
            for (position, value) in change { row[position] = value }
            values += row
        }
        return MinHashSignatures(permutations: 128, values: values)
    }

    private func run(floor: Double?, blockRows: Int) throws -> (drops: [FuzzyDrop], misses: [FuzzyDrop]) {
        let lsh = try LSHParameters(bands: 4, rows: 8, threshold: 0.8, permutations: 128)
        let selector = try FuzzySelector(lsh: lsh, temporaryDirectory: directory, blockRows: blockRows)
        selector.nearMissFloor = floor
        try selector.append(chain(), rowIDs: [1, 2, 3])
        let drops = try selector.finish()
        return (drops, selector.takeNearMisses())
    }

    func testKeptRowsBestScoreIsReportedAboveTheFloorOnly() throws {
        for blockRows in [1, 2, 10] {
            let wide = try run(floor: 0.6, blockRows: blockRows)
            // C is kept (B, its 0.84 match, was dropped); its best kept candidate is A at 88/128.
            XCTAssertEqual(wide.drops, [FuzzyDrop(row: 2, duplicateOf: 1, similarity: 108.0 / 128)])
            XCTAssertEqual(wide.misses, [FuzzyDrop(row: 3, duplicateOf: 1, similarity: 88.0 / 128)], "blockRows \(blockRows)")
            let narrow = try run(floor: 0.75, blockRows: blockRows)
            XCTAssertEqual(narrow.drops, wide.drops)
            XCTAssertEqual(narrow.misses, [])
            let off = try run(floor: nil, blockRows: blockRows)
            XCTAssertEqual(off.drops, wide.drops)
            XCTAssertEqual(off.misses, [])
        }
    }
}
