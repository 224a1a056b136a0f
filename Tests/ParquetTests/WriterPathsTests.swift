import Foundation
import XCTest
import Parquet

/// The writer's fast paths write the same file as the plain one: values given one by one
/// (`append…(column:)` + `endRow()`), and pages compressed on a background thread, across many
/// pages and row groups (small limits, so that row-group boundaries fall at every kind of place).
final class WriterPathsTests: XCTestCase {
    private let columns = [ParquetColumn(name: "id", type: .int64, optional: false),
                           ParquetColumn(name: "text", type: .string, optional: true),
                           ParquetColumn(name: "score", type: .double, optional: true),
                           ParquetColumn(name: "flag", type: .boolean, optional: true)]

    private func rows(_ count: Int, seed: UInt64) -> [[ParquetValue]] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        return (0..<count).map { i in
            let text: ParquetValue = next() % 10 == 0 ? .null
                : .string((0..<Int(next() % 40)).map { _ in words[Int(next() % 8)] }.joined(separator: " ") + " \(i)")
            return [.int64(Int64(i)), text, next() % 7 == 0 ? .null : .double(Double(next() % 10_000) / 100),
                    next() % 5 == 0 ? .null : .bool(next() % 2 == 0)]
        }
    }

    private func write(_ rows: [[ParquetValue]], to path: String, options: ParquetWriterOptions, valueByValue: Bool) throws -> Data {
        let writer = try ParquetWriter(path: path, columns: columns, options: options)
        for row in rows {
            guard valueByValue else {
                try writer.append(row)
                continue
            }
            // Columns in another order than the schema's: each column is written on its own.
            for column in [2, 0, 3, 1] {
                switch row[column] {
                case .null: try writer.appendNull(column: column)
                case .int64(let v): try writer.appendInt64(v, column: column)
                case .double(let v): try writer.appendDouble(v, column: column)
                case .bool(let v): try writer.appendBool(v, column: column)
                case .string(var v): try v.withUTF8 { try writer.appendBytes(UnsafeRawBufferPointer($0), column: column) }
                case .bytes(let v): try v.withUnsafeBytes { try writer.appendBytes($0, column: column) }
                }
            }
            try writer.endRow()
        }
        try writer.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func testValueByValueAndBackgroundCompressionWriteTheSameFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (count, rowGroupLimit, pageLimit) in [(0, 1 << 20, 1 << 20), (1, 1 << 20, 1 << 20), (5_000, 20_000, 2_000),
                                                  (20_000, 150_000, 8_192), (20_000, 128 << 20, 1 << 20)] {
            let rows = rows(count, seed: UInt64(count + rowGroupLimit))
            let plain = ParquetWriterOptions(rowGroupByteLimit: rowGroupLimit, pageByteLimit: pageLimit, dictionaryByteLimit: 4_096)
            var background = plain
            background.compressInBackground = true
            let reference = try write(rows, to: dir.appendingPathComponent("a.parquet").path, options: plain, valueByValue: false)
            XCTAssertEqual(try write(rows, to: dir.appendingPathComponent("b.parquet").path, options: plain, valueByValue: true), reference)
            XCTAssertEqual(try write(rows, to: dir.appendingPathComponent("c.parquet").path, options: background, valueByValue: false), reference)
            XCTAssertEqual(try write(rows, to: dir.appendingPathComponent("d.parquet").path, options: background, valueByValue: true), reference)
        }
    }

    func testValueByValueMistakesFailTheWriter() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, (ParquetWriter) throws -> Void)] = [
            ("wrong type", { try $0.appendDouble(1, column: 0) }),
            ("null in a required column", { try $0.appendNull(column: 0) }),
            ("a column twice", { w in try w.appendInt64(1, column: 0); try w.appendInt64(2, column: 0) }),
            ("a column missing", { w in try w.appendInt64(1, column: 0); try w.endRow() }),
            ("close mid-row", { w in try w.appendInt64(1, column: 0); try w.close() }),
        ]
        for (name, mistake) in cases {
            let path = dir.appendingPathComponent("x.parquet").path
            let writer = try ParquetWriter(path: path, columns: columns)
            XCTAssertThrowsError(try mistake(writer), name)
            XCTAssertThrowsError(try writer.endRow(), name)   // the writer failed: nothing more
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], name)
        }
    }
}
