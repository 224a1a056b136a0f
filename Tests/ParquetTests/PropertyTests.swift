import Foundation
import XCTest
import Parquet
import SplitMix


/// 200 random schemas, values and writer options (fixed seed), all read back in one Python run.
final class PropertyTests: XCTestCase {
    func testRandomSchemasAndValuesReadBackExactly() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 0x5EED_2026)
        var files: [ExpectedFile] = []
        for caseIndex in 0..<200 {
            let columns = (0..<Int.random(in: 1...6, using: &rng)).map { k in
                ParquetColumn(name: "c\(k)", type: [ParquetType.boolean, .int64, .double, .string].randomElement(using: &rng)!,
                              optional: Bool.random(using: &rng))
            }
            let rowCount = randomRowCount(&rng)
            let generators = columns.map { ColumnValueGenerator(column: $0, rng: &rng) }
            var rows: [[ParquetValue]] = []
            rows.reserveCapacity(rowCount)
            for _ in 0..<rowCount { rows.append(generators.map { $0.next(&rng) }) }
            let options = ParquetWriterOptions(
                rowGroupByteLimit: [1 << 10, 16 << 10, 128 << 20].randomElement(using: &rng)!,
                pageByteLimit: [64, 1 << 10, 1 << 20].randomElement(using: &rng)!,
                dictionaryByteLimit: [0, 256, 4 << 10, 1 << 20].randomElement(using: &rng)!,
                useDictionary: Int.random(in: 0..<4, using: &rng) != 0,
                compression: Bool.random(using: &rng) ? .uncompressed : .zstd(level: Int32.random(in: 1...6, using: &rng)),
                createdBy: "entropyguard property-\(caseIndex)")
            let path = dir.appendingPathComponent("case-\(caseIndex).parquet").path
            files.append(try writeFile(path, columns, rows, options: options, columnar: Bool.random(using: &rng)))
        }
        XCTAssertGreaterThan(files.filter { $0.rowGroups > 1 }.count, 20, "the cases should cover many row groups")
        try assertReadBack(files, in: dir)
    }

    private func randomRowCount(_ rng: inout SplitMix64) -> Int {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return 0
        case 1: return 1
        case 2...6: return Int.random(in: 2...60, using: &rng)
        default: return Int.random(in: 61...1_500, using: &rng)
        }
    }
}

/// Random values for one column, with a per-column flavour (null rate, cardinality, specials).
private struct ColumnValueGenerator {
    let column: ParquetColumn
    let nullPercent: Int
    let lowCardinality: Bool
    let pool: [ParquetValue]

    init(column: ParquetColumn, rng: inout SplitMix64) {
        self.column = column
        nullPercent = column.optional ? [0, 10, 50, 100].randomElement(using: &rng)! : 0
        lowCardinality = Bool.random(using: &rng)
        var pool: [ParquetValue] = []
        for _ in 0..<Int.random(in: 1...8, using: &rng) { pool.append(Self.freshValue(column.type, &rng)) }
        self.pool = pool
    }

    func next(_ rng: inout SplitMix64) -> ParquetValue {
        if Int.random(in: 0..<100, using: &rng) < nullPercent { return .null }
        if lowCardinality && Int.random(in: 0..<10, using: &rng) != 0 { return pool.randomElement(using: &rng)! }
        return Self.freshValue(column.type, &rng)
    }

    private static func freshValue(_ type: ParquetType, _ rng: inout SplitMix64) -> ParquetValue {
        switch type {
        case .boolean:
            return .bool(Bool.random(using: &rng))
        case .int64:
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return .int64([Int64.min, .max, 0, -1, 1].randomElement(using: &rng)!)
            case 1: return .int64(Int64(bitPattern: rng.next()))
            default: return .int64(Int64.random(in: -1_000...1_000, using: &rng))
            }
        case .double:
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: return .double([.nan, .infinity, -.infinity, 0.0, -0.0, .leastNonzeroMagnitude,
                                    -.greatestFiniteMagnitude].randomElement(using: &rng)!)
            case 1:
                let bits = rng.next()
                let d = Double(bitPattern: bits)
                return .double(d.isNaN ? 1.5 : d)
            default: return .double(Double.random(in: -1e6...1e6, using: &rng))
            }
        case .string:
            let length = Int.random(in: 0..<6, using: &rng) == 0 ? 0 : Int.random(in: 1...40, using: &rng)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(randomScalar(&rng)) }
            let text = String(scalars)
            return Bool.random(using: &rng) ? .string(text) : .bytes(Array(text.utf8))
        default:
            preconditionFailure("the property test's schemas use the four ParquetValue types")
        }
    }

    private static func randomScalar(_ rng: inout SplitMix64) -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x20...0x7E, 0xA0...0x24F, 0x4E00...0x4FFF, 0x1F600...0x1F64F]
        let range = ranges.randomElement(using: &rng)!
        return Unicode.Scalar(UInt32.random(in: range, using: &rng))!
    }
}
