import Foundation
import XCTest
import Parquet
import SplitMix

/// Damaged files never crash the reader and never read silently as something else when the damage
/// is one it can see: a few random bytes of a file are overwritten (seeded), and reading it must
/// either throw a `ParquetReadError` or finish (damage inside a value's bytes of an uncompressed
/// page without CRC reads as a different value, as in any reader).
final class ReaderFuzzTests: XCTestCase {
    func testRandomlyDamagedFilesThrowOrRead() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = """
            import pyarrow as pa, pyarrow.parquet as pq, sys, os
            d = sys.argv[1]
            n = 300
            t = pa.table({
                "i": pa.array([None if k % 7 == 0 else k * 1000003 for k in range(n)], pa.int64()),
                "s": pa.array([None if k % 5 == 0 else "v" * (k % 13) for k in range(n)]),
                "l": pa.array([None if k % 6 == 0 else [k, None, k + 1][: k % 4] for k in range(n)], pa.list_(pa.int32())),
                "st": pa.array([{"a": k % 3, "m": [("k", k)]} for k in range(n)], pa.struct([("a", pa.int8()), ("m", pa.map_(pa.string(), pa.int64()))])),
                "f": pa.array([k / 3 for k in range(n)], pa.float32()),
            })
            pq.write_table(t, os.path.join(d, "zstd.parquet"), compression="zstd", row_group_size=100, data_page_size=256)
            pq.write_table(t, os.path.join(d, "plain-v2.parquet"), compression="none", data_page_version="2.0", use_dictionary=False,
                           column_encoding={"i": "DELTA_BINARY_PACKED", "s": "DELTA_BYTE_ARRAY", "f": "BYTE_STREAM_SPLIT"}, data_page_size=256)
            pq.write_table(t, os.path.join(d, "snappy-dict.parquet"), compression="snappy", data_page_size=256)
            """
        let script = dir.appendingPathComponent("make.py")
        try program.write(to: script, atomically: false, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try pythonExecutable())
        process.arguments = [script.path, dir.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)

        var rng = SplitMix64(seed: 0xDA_3A6E)
        var outcomes = (thrown: 0, read: 0)
        for name in ["zstd.parquet", "plain-v2.parquet", "snappy-dict.parquet"] {
            let original = try [UInt8](Data(contentsOf: dir.appendingPathComponent(name)))
            let damaged = dir.appendingPathComponent("damaged-" + name).path
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                try Data(bytes).write(to: URL(fileURLWithPath: damaged))
                do {
                    let reader = try ParquetFileReader(path: damaged)
                    var rows = 0
                    try reader.forEachRow { row in
                        rows += 1
                        _ = ParquetFieldValue.list(row).jsonText
                    }
                    XCTAssertEqual(Int64(rows), reader.rowCount)
                    outcomes.read += 1
                } catch let error as ParquetReadError {
                    XCTAssertTrue(error.isBadData, "\(error)")
                    outcomes.thrown += 1
                }
            }
        }
        XCTAssertGreaterThan(outcomes.thrown, 150, "most damage is seen (\(outcomes))")
    }
}
