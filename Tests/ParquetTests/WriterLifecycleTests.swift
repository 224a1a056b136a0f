import Foundation
import XCTest
import Parquet

/// Temporary-file handling, rejected rows and use after close.
final class WriterLifecycleTests: XCTestCase {
    private let columns = [ParquetColumn(name: "id", type: .int64, optional: false),
                           ParquetColumn(name: "text", type: .string, optional: true)]

    private func listing(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testWritesUnderTemporaryNameAndRenamesOnClose() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.parquet").path
        let writer = try ParquetWriter(path: path, columns: columns)
        try writer.append([.int64(1), .string("a")])
        let during = try listing(dir)
        XCTAssertEqual(during.count, 1)
        XCTAssertTrue(during[0].hasPrefix(".out.parquet.tmp-"), during[0])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try writer.close()
        XCTAssertEqual(try listing(dir), ["out.parquet"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(bytes.prefix(4)), Array("PAR1".utf8))
        XCTAssertEqual(Array(bytes.suffix(4)), Array("PAR1".utf8))
        XCTAssertThrowsError(try writer.append([.int64(2), .null]))
        XCTAssertThrowsError(try writer.close())
    }

    func testAbandonedOrReleasedWriterLeavesNoFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let abandoned = try ParquetWriter(path: dir.appendingPathComponent("a.parquet").path, columns: columns)
        try abandoned.append([.int64(1), .null])
        abandoned.abandon()
        XCTAssertEqual(try listing(dir), [])
        XCTAssertThrowsError(try abandoned.append([.int64(1), .null]))

        do {
            let released = try ParquetWriter(path: dir.appendingPathComponent("b.parquet").path, columns: columns)
            try released.append([.int64(1), .null])
            XCTAssertEqual(try listing(dir).count, 1)
        }
        XCTAssertEqual(try listing(dir), [])
    }

    func testRejectsBadRowsAndKeepsWriting() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.parquet").path
        let writer = try ParquetWriter(path: path, columns: columns)
        XCTAssertThrowsError(try writer.append([.int64(1)]))
        XCTAssertThrowsError(try writer.append([.null, .string("x")]))       // null in required column
        XCTAssertThrowsError(try writer.append([.double(1), .string("x")]))  // wrong type
        XCTAssertThrowsError(try writer.append([.int64(1), .int64(2)]))
        XCTAssertThrowsError(try writer.append(columns: [[.int64(1)], []]))  // ragged batch
        XCTAssertEqual(writer.rowCount, 0)
        try writer.append([.int64(1), .bytes(Array("ok".utf8))])
        try writer.close()
        XCTAssertEqual(writer.rowCount, 1)
        XCTAssertEqual(try listing(dir), ["c.parquet"])
    }

    func testRejectsInvalidSchemasAndMissingDirectory() {
        XCTAssertThrowsError(try ParquetWriter(path: "/tmp/x.parquet", columns: []))
        XCTAssertThrowsError(try ParquetWriter(path: "/tmp/x.parquet", columns: columns + columns))
        XCTAssertThrowsError(try ParquetWriter(path: "/nonexistent-dir-\(UUID().uuidString)/x.parquet", columns: columns))
    }
}
