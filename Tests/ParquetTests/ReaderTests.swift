import Foundation
import XCTest
@testable import Parquet

/// Files written by pyarrow, polars, DuckDB and our writer, read by `ParquetFileReader` and compared
/// with what pyarrow reads, value by value (`readerScript`'s `compare`).
final class ReaderTests: XCTestCase {
    /// Every codec × page v1/v2 × dictionary on/off, every encoding, 1 MB strings, many row groups
    /// and pages, nested lists/maps/structs (and legacy two-level lists), temporal, decimal, INT96,
    /// unsigned and float16 columns, CRCs; polars' and DuckDB's files with each of their codecs.
    /// Then our writer copies each file with its types, and the copies read as the originals.
    func testFilesFromPyarrowPolarsAndDuckDBReadAsPyarrowReadsThem() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, output) = try runReaderScript(["writers", dir.path], in: dir)
        XCTAssertEqual(status, 0, output)
        try assertReaderMatchesPyarrow(in: dir, expectFiles: 60)
        try assertWriterCopiesReadAsOriginals(in: dir)
    }

    /// 200 random schemas (nested up to two levels), values and writer options, seeded; then copied
    /// by our writer, the copies reading as the originals.
    func testRandomSchemasAndValuesReadAsPyarrowReadsThem() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, output) = try runReaderScript(["property", dir.path, "20261130", "200"], in: dir)
        XCTAssertEqual(status, 0, output)
        try assertReaderMatchesPyarrow(in: dir, expectFiles: 200)
        try assertWriterCopiesReadAsOriginals(in: dir)
    }

    /// Our writer's files: the values appended come back equal, and pyarrow agrees.
    func testOurWriterFilesReadBackExactly() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let columns = [ParquetColumn(name: "id", type: .int64, optional: false),
                       ParquetColumn(name: "text", type: .string, optional: true),
                       ParquetColumn(name: "score", type: .double, optional: true),
                       ParquetColumn(name: "flag", type: .boolean, optional: true)]
        let rows: [[ParquetValue]] = (0..<5_000).map { (i: Int) -> [ParquetValue] in
            let text: ParquetValue = i % 9 == 0 ? .null : .string(i % 4 == 0 ? "" : "text \(i % 50) é")
            let score: ParquetValue = i % 5 == 0 ? .null : .double(Double(i) / 3)
            let flag: ParquetValue = i % 7 == 0 ? .null : .bool(i % 2 == 0)
            return [.int64(Int64(i) * 7 - 100), text, score, flag]
        }
        var names: [String] = []
        for (name, options) in [("ours-zstd.parquet", ParquetWriterOptions(rowGroupByteLimit: 16 << 10, pageByteLimit: 1 << 10)),
                                ("ours-plain.parquet", ParquetWriterOptions(useDictionary: false, compression: .uncompressed))] {
            let path = dir.appendingPathComponent(name).path
            _ = try writeFile(path, columns, rows, options: options)
            let reader = try ParquetFileReader(path: path)
            XCTAssertEqual(reader.schema.fieldNames, ["id", "text", "score", "flag"])
            var read: [[ParquetValue]] = []
            try reader.forEachRow { row in
                read.append(row.map { value -> ParquetValue in
                    switch value {
                    case .null: return .null
                    case .int(let v): return .int64(v)
                    case .string(let s): return .string(s)
                    case .double(let d): return .double(d)
                    case .bool(let b): return .bool(b)
                    default: return .string("unexpected \(value)")
                    }
                })
            }
            XCTAssertEqual(read, rows, name)
            names.append(name)

            // The same values through the flat columns' random access, rows in reverse order.
            var flatRows: [[ParquetFieldValue]] = []
            for g in 0..<reader.rowGroupCount {
                let group = try reader.readRowGroup(g)
                let flat = (0..<4).map { group.flatColumn($0)! }
                let values = group.values(ofField: 1)
                for row in (0..<group.rowCount).reversed() {
                    XCTAssertEqual(flat[1].isNull(row), values[row] == .null)
                    let text = flat[1].withBytes(row: row) { $0.map { ParquetFieldValue.string(String(decoding: $0, as: UTF8.self)) } ?? .null }
                    XCTAssertEqual(text, values[row])
                }
                for row in 0..<group.rowCount { flatRows.append(flat.map { $0.value(row: row) }) }
            }
            XCTAssertEqual(flatRows.count, rows.count)
            try reader.forEachRow { row in XCTAssertEqual(row, flatRows.removeFirst()) }
        }
        let manifest = try JSONSerialization.data(withJSONObject: ["files": names])
        try manifest.write(to: dir.appendingPathComponent("manifest.json"))
        try assertReaderMatchesPyarrow(in: dir, expectFiles: 2)
    }
}
