import EntropyGuard
import Parquet
import XCTest

/// A Parquet failure keeps its kind up to the exit status: a bug is never reported as an I/O error.
final class ParquetErrorStatusTests: XCTestCase {
    func testEachKindMapsToItsExitStatus() {
        let cases: [(ParquetError, ExitStatus)] = [
            (.io(operation: .create, path: "/x/.f.tmp-1-0", code: EROFS), .cannotCreate),
            (.io(operation: .rename, path: "/x/f", code: EACCES), .cannotCreate),
            (.io(operation: .write, path: "/x/.f.tmp-1-0", code: ENOSPC), .ioError),
            (.io(operation: .sync, path: "/x/.f.tmp-1-0", code: EIO), .ioError),
            (.limitExceeded("a value of column text exceeds 2 GiB"), .dataError),
            (.invalidArgument("row has 2 values, schema has 3 columns"), .internalError),
            (.compression("zstd: Allocation error"), .internalError),
        ]
        for (error, expected) in cases {
            let mapped = EntropyGuardError(error, writing: "out.parquet")
            XCTAssertEqual(mapped.status, expected, "\(error)")
            XCTAssertTrue(mapped.message.contains("out.parquet"), mapped.message)
        }
        XCTAssertTrue(ParquetError.io(operation: .write, path: "p", code: ENOSPC).description.contains("No space left on device"))
    }

    func testWriterReportsACreateFailureAsIO() throws {
        let path = "/nonexistent-\(getpid())/out.parquet"
        XCTAssertThrowsError(try ParquetWriter(path: path, columns: [ParquetColumn(name: "a", type: .int64, optional: false)])) { error in
            guard case ParquetError.io(operation: .create, _, let code) = error else {
                return XCTFail("expected an I/O create error, got \(error)")
            }
            XCTAssertEqual(code, ENOENT)
        }
        XCTAssertThrowsError(try ParquetWriter(path: "/tmp/x.parquet", columns: [])) { error in
            guard case ParquetError.invalidArgument = error else { return XCTFail("got \(error)") }
        }
    }
}
