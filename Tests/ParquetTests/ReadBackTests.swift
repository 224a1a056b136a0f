import Foundation
import XCTest
@testable import Parquet

/// Files written by ParquetWriter, read back by pyarrow, duckdb and polars (values, types, nulls,
/// row groups, codec, statistics via pyarrow and duckdb's parquet_metadata()).
final class ReadBackTests: XCTestCase {
    private let allTypes = [
        ParquetColumn(name: "flag", type: .boolean, optional: false),
        ParquetColumn(name: "id", type: .int64, optional: false),
        ParquetColumn(name: "score", type: .double, optional: false),
        ParquetColumn(name: "text", type: .string, optional: false),
    ]
    private var allTypesOptional: [ParquetColumn] {
        allTypes.map { ParquetColumn(name: "opt_" + $0.name, type: $0.type, optional: true) }
    }

    func testTypesNullsEdgeValuesAndCodecs() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let edgeRows: [[ParquetValue]] = [
            [.bool(true), .int64(.max), .double(.nan), .string("")],
            [.bool(false), .int64(.min), .double(.infinity), .string("héllo wörld")],
            [.bool(true), .int64(0), .double(-.infinity), .string("emoji 😀👩‍👩‍👧 and 中文")],
            [.bool(false), .int64(-1), .double(-0.0), .string("\u{0}nul inside")],
            [.bool(true), .int64(42), .double(.leastNonzeroMagnitude), .bytes(Array("raw bytes ✓".utf8))],
            [.bool(false), .int64(7), .double(.greatestFiniteMagnitude), .string("z")],
            [.bool(true), .int64(8), .double(0.0), .string("ÿ high bytes sort last")],
        ]
        let nullableRows: [[ParquetValue]] = (0..<50).map { (i: Int) -> [ParquetValue] in
            let flag: ParquetValue = i % 3 == 0 ? .null : .bool(i % 2 == 0)
            let id: ParquetValue = i % 4 == 0 ? .null : .int64(Int64(i) * 1_000_003 - 25)
            let score: ParquetValue = i % 5 == 0 ? .null : .double(Double(i) / 7)
            let text: ParquetValue = i % 2 == 0 ? .null : .string(i % 7 == 0 ? "" : "row \(i) ✨")
            return [flag, id, score, text]
        }
        let allNull: [[ParquetValue]] = (0..<20).map { _ in [.null, .null, .null, .null] }
        let onlyNaN: [[ParquetValue]] = (0..<3).map { _ in [.double(.nan)] }

        var files: [ExpectedFile] = []
        for (codecName, codec) in [("zstd", ParquetCompression.zstd(level: 3)), ("snappy", .snappy), ("none", .uncompressed)] {
            let options = ParquetWriterOptions(compression: codec, createdBy: "entropyguard 9.9.9-test")
            files.append(try writeFile(dir.appendingPathComponent("edge-\(codecName).parquet").path,
                                       allTypes, edgeRows, options: options))
            files.append(try writeFile(dir.appendingPathComponent("nullable-\(codecName).parquet").path,
                                       allTypesOptional, nullableRows, options: options))
            files.append(try writeFile(dir.appendingPathComponent("allnull-\(codecName).parquet").path,
                                       allTypesOptional, allNull, options: options))
            files.append(try writeFile(dir.appendingPathComponent("zero-\(codecName).parquet").path,
                                       allTypes, [], options: options))
            files.append(try writeFile(dir.appendingPathComponent("one-\(codecName).parquet").path,
                                       allTypesOptional, [nullableRows[1]], options: options))
            files.append(try writeFile(dir.appendingPathComponent("nan-\(codecName).parquet").path,
                                       [ParquetColumn(name: "d", type: .double, optional: false)], onlyNaN,
                                       options: options))
        }
        XCTAssertEqual(files.first { $0.path.hasSuffix("zero-zstd.parquet") }?.rowGroups, 0)
        try assertReadBack(files, in: dir)
    }

    func testLargeStringsManyRowGroupsAndColumnBatches() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let megabyte = String(repeating: "0123456789abcdef", count: 65_536)
        let big: [[ParquetValue]] = [
            [.string(megabyte), .int64(1)],
            [.string("short"), .int64(2)],
            [.string(megabyte + "é"), .int64(3)],
            [.string(String(repeating: "😀", count: 262_144)), .int64(4)],
        ]
        let bigColumns = [ParquetColumn(name: "text", type: .string, optional: false),
                          ParquetColumn(name: "n", type: .int64, optional: true)]
        let manyRows: [[ParquetValue]] = (0..<20_000).map { (i: Int) -> [ParquetValue] in
            let text: ParquetValue = i % 11 == 0 ? .null : .string("value \(i % 300)")
            return [.int64(Int64(i)), text, .double(Double(i) * 0.5), .bool(i % 3 == 0)]
        }
        let manyColumns = [ParquetColumn(name: "i", type: .int64, optional: false),
                           ParquetColumn(name: "s", type: .string, optional: true),
                           ParquetColumn(name: "d", type: .double, optional: false),
                           ParquetColumn(name: "b", type: .boolean, optional: false)]
        let small = ParquetWriterOptions(rowGroupByteLimit: 16 << 10, pageByteLimit: 2 << 10)

        var files: [ExpectedFile] = []
        files.append(try writeFile(dir.appendingPathComponent("big.parquet").path, bigColumns, big))
        files.append(try writeFile(dir.appendingPathComponent("big-plain.parquet").path, bigColumns, big,
                                   options: .init(useDictionary: false, compression: .uncompressed)))
        files.append(try writeFile(dir.appendingPathComponent("groups-rows.parquet").path, manyColumns, manyRows,
                                   options: small))
        files.append(try writeFile(dir.appendingPathComponent("groups-columns.parquet").path, manyColumns, manyRows,
                                   options: small, columnar: true))
        // Row-group memory is bounded: the limit plus at most one row and a few page headers.
        files[2].maxRowGroupBytes = (16 << 10) + 1_024
        for file in files.suffix(2) { XCTAssertGreaterThan(file.rowGroups, 5) }
        try assertReadBack(files, in: dir)
    }

    /// Names and values are bytes: "caf\u{E9}" and "cafe\u{301}" are two columns, and "\u{E9}" and
    /// "e\u{301}" two dictionary entries (String equality, canonical equivalence, would merge both).
    func testNamesAndValuesDifferingOnlyInNormalizationStayDistinct() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let columns = [ParquetColumn(name: "caf\u{E9}", type: .string, optional: true),
                       ParquetColumn(name: "cafe\u{301}", type: .int64, optional: false)]
        let values: [ParquetValue] = [.string("\u{E9}"), .string("e\u{301}"), .bytes(Array("e\u{301}".utf8)), .null]
        let rows: [[ParquetValue]] = (0..<400).map { [values[$0 % 4], .int64(Int64($0))] }
        let file = try writeFile(dir.appendingPathComponent("forms.parquet").path, columns, rows,
                                 dataPages: ["caf\u{E9}": "dictionary"])
        try assertReadBack([file], in: dir)
    }

    func testDictionaryPlainAndFallback() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let columns = [ParquetColumn(name: "label", type: .string, optional: true),
                       ParquetColumn(name: "n", type: .int64, optional: false)]
        // Few distinct values: the dictionary pays and stays for the whole chunk.
        let labels = ["red", "green", "blue", "ünïcode", ""]
        let repetitive: [[ParquetValue]] = (0..<5_000).map { (i: Int) -> [ParquetValue] in
            let label: ParquetValue = i % 13 == 0 ? .null : .string(labels[i % 5])
            return [label, .int64(Int64(i))]
        }
        // Repetitive at first, then all distinct: the dictionary pays on the first page, then
        // outgrows its 4 KB limit, and the rest of the chunk is PLAIN.
        let growing: [[ParquetValue]] = (0..<6_000).map { (i: Int) -> [ParquetValue] in
            let label = i < 2_000 ? "tag \(i % 10)" : "unique value number \(i)"
            return [.string(label), .int64(Int64(i))]
        }
        // All distinct from the start: the first page shows the dictionary does not pay.
        let unique: [[ParquetValue]] = (0..<3_000).map { (i: Int) -> [ParquetValue] in
            let label = "distinct \(i) " + String(repeating: "x", count: i % 50)
            return [.string(label), .int64(Int64(i))]
        }
        let paged = ParquetWriterOptions(pageByteLimit: 4 << 10, dictionaryByteLimit: 4 << 10)
        var files: [ExpectedFile] = []
        files.append(try writeFile(dir.appendingPathComponent("dict.parquet").path, columns, repetitive,
                                   options: paged, dataPages: ["label": "dictionary", "n": "plain"]))
        files.append(try writeFile(dir.appendingPathComponent("dict-off.parquet").path, columns, repetitive,
                                   options: .init(useDictionary: false), dataPages: ["label": "plain"]))
        files.append(try writeFile(dir.appendingPathComponent("fallback.parquet").path, columns, growing,
                                   options: paged, dataPages: ["label": "fallback"]))
        files.append(try writeFile(dir.appendingPathComponent("fallback-none.parquet").path, columns, growing,
                                   options: .init(pageByteLimit: 4 << 10, dictionaryByteLimit: 4 << 10,
                                                  compression: .uncompressed),
                                   dataPages: ["label": "fallback"]))
        files.append(try writeFile(dir.appendingPathComponent("unique.parquet").path, columns, unique,
                                   options: paged, dataPages: ["label": "plain"]))
        try assertReadBack(files, in: dir)
    }
}
