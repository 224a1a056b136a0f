import Foundation
import XCTest
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// A writer continuing an earlier file (`ParquetFilePrefix`): the earlier file's rows followed by more
/// give the same bytes as one writer over all the rows, by the row-count limit and by the byte limit,
/// with dictionaries, nulls, statistics and key-value metadata; a file of another schema or metadata,
/// or of a single row group, is not continued.
final class ParquetFilePrefixTests: XCTestCase {
    private let columns = [ParquetColumn(name: "_row", type: .int64, optional: false),
                           ParquetColumn(name: "text", type: .string, optional: true),
                           ParquetColumn(name: "label", type: .string, optional: true),
                           ParquetColumn(name: "score", type: .double, optional: true)]

    private func row(_ i: Int) -> [ParquetValue] {
        [.int64(Int64(i)), i % 7 == 0 ? .null : .string("text \(i) " + String(repeating: "w\(i % 13) ", count: i % 20)),
         .string(["a", "b", "c"][i % 3]), i % 5 == 0 ? .null : .double(Double(i) / 3)]
    }

    private func options(rows: Int = .max, bytes: Int = 128 << 20, metadata: String = "m") -> ParquetWriterOptions {
        var options = ParquetWriterOptions(rowGroupByteLimit: bytes, pageByteLimit: 700, compression: .snappy, createdBy: "test",
                                           compressInBackground: true, keyValueMetadata: [("ARROW:schema", metadata)])
        options.rowGroupRowLimit = rows
        return options
    }

    /// Writes rows 0..<count; with `continuing`, only those from its `continuedRows` on.
    @discardableResult
    private func write(_ path: String, count: Int, options: ParquetWriterOptions, columns: [ParquetColumn]? = nil,
                       continuing: String? = nil) throws -> Int {
        var descriptor: Int32 = -1
        defer { if descriptor >= 0 { close(descriptor) } }
        var prefix: ParquetFilePrefix?
        if let continuing {
            descriptor = open(continuing, O_RDONLY)
            prefix = ParquetFilePrefix(descriptor: descriptor)
        }
        let columns = columns ?? self.columns
        let writer = try ParquetWriter(path: path, columns: columns, options: options, continuing: prefix)
        for i in writer.continuedRows..<count { try writer.append(Array(row(i).prefix(columns.count))) }
        try writer.close()
        return writer.continuedRows
    }

    private func check(options: ParquetWriterOptions, old: Int, new: Int, kept: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (before, full, continued) = (dir.appendingPathComponent("before.parquet").path, dir.appendingPathComponent("full.parquet").path,
                                         dir.appendingPathComponent("continued.parquet").path)
        try write(before, count: old, options: options)
        // The last group's `_row` statistics say where the rows not kept start: the kept rows' count here.
        let descriptor = open(before, O_RDONLY)
        if let prefix = ParquetFilePrefix(descriptor: descriptor) {
            XCTAssertEqual(prefix.firstColumnMinimumOfLastGroup, Int64(prefix.rowCount), file: file, line: line)
        }
        close(descriptor)
        try write(full, count: old + new, options: options)
        XCTAssertEqual(try write(continued, count: old + new, options: options, continuing: before), kept, file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: continued)), try Data(contentsOf: URL(fileURLWithPath: full)), file: file, line: line)
        let reader = try ParquetFileReader(path: continued)
        XCTAssertEqual(reader.rowCount, Int64(old + new), file: file, line: line)
        var next = 0
        for group in 0..<reader.rowGroupCount {
            for values in try reader.readRowGroup(group).makeRowIterator() {
                XCTAssertEqual(values[0], .int(Int64(next)), file: file, line: line)
                next += 1
            }
        }
        XCTAssertEqual(next, old + new, file: file, line: line)
    }

    func testContinuingByTheRowLimitGivesTheFullFile() throws {
        try check(options: options(rows: 100), old: 250, new: 120, kept: 200)
        try check(options: options(rows: 100), old: 300, new: 1, kept: 200)   // the old last group was full
    }

    func testContinuingByTheByteLimitGivesTheFullFile() throws {
        try check(options: options(bytes: 6_000), old: 400, new: 300, kept: 400 - (try lastGroupRows(options(bytes: 6_000), count: 400)))
    }

    func testASingleRowGroupIsNotContinued() throws {
        try check(options: options(rows: 100), old: 80, new: 50, kept: 0)
    }

    /// Another schema, or other key-value metadata (pyarrow's schema): written whole.
    func testAFileOfAnotherSchemaOrMetadataIsNotContinued() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = dir.appendingPathComponent("before.parquet").path
        try write(before, count: 250, options: options(rows: 100))
        for (options, columns) in [(options(rows: 100, metadata: "other"), columns), (options(rows: 100), Array(columns.prefix(3)))] {
            let (full, continued) = (dir.appendingPathComponent("full.parquet").path, dir.appendingPathComponent("continued.parquet").path)
            try write(full, count: 300, options: options, columns: columns)
            XCTAssertEqual(try write(continued, count: 300, options: options, columns: columns, continuing: before), 0)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: continued)), try Data(contentsOf: URL(fileURLWithPath: full)))
        }
    }

    private func lastGroupRows(_ options: ParquetWriterOptions, count: Int) throws -> Int {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.parquet").path
        try write(path, count: count, options: options)
        let reader = try ParquetFileReader(path: path)
        XCTAssertGreaterThan(reader.rowGroupCount, 2)
        return try reader.readRowGroup(reader.rowGroupCount - 1).rowCount
    }
}
