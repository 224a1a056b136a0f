import Foundation
import XCTest
@testable import Parquet

/// Several files as one input: sorted order, schema check.
final class DatasetTests: XCTestCase {
    func testFilesAreReadInSortedOrderAndMustShareTheSchema() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let columns = [ParquetColumn(name: "id", type: .int64, optional: false), ParquetColumn(name: "text", type: .string, optional: true)]
        // Written out of order; "part-10" sorts between "part-1" and "part-2" byte-wise.
        for (name, first) in [("part-2.parquet", 200), ("part-10.parquet", 100), ("part-1.parquet", 0)] {
            let rows: [[ParquetValue]] = (first..<(first + 50)).map { [.int64(Int64($0)), .string("row \($0)")] }
            _ = try writeFile(dir.appendingPathComponent(name).path, columns, rows,
                              options: ParquetWriterOptions(rowGroupByteLimit: 512))
        }
        let paths = ["part-2.parquet", "part-10.parquet", "part-1.parquet"].map { dir.appendingPathComponent($0).path }
        let dataset = try ParquetDataset(paths: paths)
        XCTAssertEqual(dataset.paths.map { ($0 as NSString).lastPathComponent }, ["part-1.parquet", "part-10.parquet", "part-2.parquet"])
        XCTAssertEqual(dataset.rowCount, 150)
        var ids: [Int64] = []
        var files: [Int] = []
        try dataset.forEachRowGroup(fields: [0]) { file, group in
            files.append(file)
            for row in group.makeRowIterator() { if case .int(let id) = row[0] { ids.append(id) } }
        }
        XCTAssertEqual(ids, (0..<50).map(Int64.init) + (100..<150).map(Int64.init) + (200..<250).map(Int64.init))
        XCTAssertEqual(files, files.sorted())
        XCTAssertGreaterThan(files.count, 3, "several row groups per file")

        let other = dir.appendingPathComponent("part-3.parquet").path
        _ = try writeFile(other, [ParquetColumn(name: "id", type: .int64, optional: false), ParquetColumn(name: "text", type: .int64, optional: true)],
                          [[.int64(1), .int64(2)]])
        XCTAssertThrowsError(try ParquetDataset(paths: paths + [other])) { error in
            guard let error = error as? ParquetReadError, case .schemaMismatch(let message) = error.problem else { return XCTFail("\(error)") }
            XCTAssertEqual(error.file, other)
            XCTAssertTrue(message.contains("column text is INT64"), message)
        }
    }
}
