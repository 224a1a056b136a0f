@testable import EntropyGuard
import CSQLite
import Foundation
import XCTest

/// SQLite failures carry the result codes, the statement and its arguments, and a kind that decides
/// the exit status: our bugs are not I/O errors, a damaged store is not a bug.
final class SQLiteErrorTests: XCTestCase {
    func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eg-sqlerr-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testKindsDecideTheExitStatus() {
        let cases: [(Int32, SQLiteError.Kind, ExitStatus)] = [
            (SQLITE_IOERR | (3 << 8), .ioError, .ioError),   // SQLITE_IOERR_WRITE
            (SQLITE_FULL, .ioError, .ioError),
            (SQLITE_CANTOPEN, .ioError, .ioError),
            (SQLITE_CORRUPT, .corrupt, .ioError),
            (SQLITE_NOTADB, .corrupt, .ioError),
            (SQLITE_READONLY, .readOnly, .cannotCreate),
            (SQLITE_BUSY, .busy, .locked),
            (SQLITE_ERROR, .bug, .internalError),
            (SQLITE_CONSTRAINT | (8 << 8), .bug, .internalError),   // SQLITE_CONSTRAINT_UNIQUE
            (SQLITE_MISUSE, .bug, .internalError),
            (SQLITE_RANGE, .bug, .internalError),
        ]
        for (code, kind, status) in cases {
            let error = SQLiteError(extendedResultCode: code, message: "m")
            XCTAssertEqual(error.kind, kind, "\(code)")
            XCTAssertEqual(error.exitStatus, status, "\(code)")
            XCTAssertEqual(error.resultCode, code & 0xff)
        }
    }

    func testWrongArgumentCountIsABugNamingTheStatementAndArguments() throws {
        let store = try WorkingStore(directory: try makeDirectory())
        XCTAssertThrowsError(try store.database.run("UPDATE rows SET generation = ? WHERE row_id = ?", [.integer(1)])) { error in
            guard let error = error as? SQLiteError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.resultCode, SQLITE_MISUSE)
            XCTAssertEqual(error.kind, .bug)
            XCTAssertEqual(error.sql, "UPDATE rows SET generation = ? WHERE row_id = ?")
            XCTAssertEqual(error.arguments, [.integer(1)])
            XCTAssertTrue(error.description.contains("wrong number of statement arguments: 1 for 2 parameters"), error.description)
            XCTAssertTrue(error.debugDescription.hasSuffix("while executing `UPDATE rows SET generation = ? WHERE row_id = ?`"), error.debugDescription)
        }
    }

    /// The statement stays out of the users' one-line description, the arguments (possibly the dataset's
    /// texts) out of the debug one too.
    func testConstraintErrorHasExtendedCodeAndArgumentsOnlyWhenExpanded() throws {
        let store = try WorkingStore(directory: try makeDirectory())
        try store.setMeta("k", "v")
        XCTAssertThrowsError(try store.database.run("INSERT INTO meta (key, value) VALUES (?, ?)", [.text("k"), .text("secret text")])) { error in
            guard let error = error as? SQLiteError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.extendedResultCode, SQLITE_CONSTRAINT | (6 << 8))   // SQLITE_CONSTRAINT_PRIMARYKEY
            XCTAssertEqual(error.exitStatus, .internalError)
            XCTAssertEqual(error.description, "SQLite error 19 (extended 1555): UNIQUE constraint failed: meta.key")
            XCTAssertEqual(error.debugDescription, error.description + " - while executing `INSERT INTO meta (key, value) VALUES (?, ?)`")
            XCTAssertFalse(error.debugDescription.contains("secret"))
            XCTAssertTrue(error.expandedDescription.hasSuffix("with arguments ['k', 'secret text']"), error.expandedDescription)
        }
    }

    /// A file that is not a database where the store should be: a damaged store (exit 74 like other
    /// files we cannot read back), not a bug (70).
    func testAFileThatIsNotADatabaseIsADamagedStore() throws {
        let directory = try makeDirectory()
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: directory + "/" + WorkingStore.fileName))
        XCTAssertThrowsError(try WorkingStore(directory: directory)) { error in
            guard let error = error as? SQLiteError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.resultCode, SQLITE_NOTADB)
            XCTAssertTrue(error.isCorruption)
            XCTAssertEqual(error.exitStatus, .ioError)
        }
    }
}
