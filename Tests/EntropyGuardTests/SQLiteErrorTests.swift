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

    /// A file with a whole SQLite header (StoreFileHeader lets it through) whose first page is garbage:
    /// SQLite's SQLITE_CORRUPT, a damaged store (exit 74 like other files we cannot read back, never 70).
    func testSQLiteCorruptionIsStoreDamage() throws {
        let directory = try makeDirectory()
        var page = [UInt8](repeating: 0xA5, count: 4096)
        func put(_ offset: Int, _ bytes: [UInt8]) { page.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        put(0, Array("SQLite format 3\0".utf8))
        put(16, [0x10, 0x00, 1, 1, 0, 64, 32, 32])   // 4096-byte pages, legacy journal, payload fractions
        put(24, [0, 0, 0, 1, 0, 0, 0, 1])             // change counter 1, 1 page
        put(32, [UInt8](repeating: 0, count: 12))     // no freelist, schema cookie 0
        put(44, [0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])   // schema format 4, UTF-8
        put(60, [UInt8](repeating: 0, count: 32))
        put(92, [0, 0, 0, 1, 0, 0x2E, 0x4F, 0x70])    // version-valid-for 1, SQLite version
        try Data(page).write(to: URL(fileURLWithPath: directory + "/" + WorkingStore.fileName))
        XCTAssertThrowsError(try WorkingStore(directory: directory)) { error in
            guard let sqlite = error as? SQLiteError else { return XCTFail("\(error)") }
            XCTAssertTrue(sqlite.isCorruption, sqlite.debugDescription)
            XCTAssertEqual(sqlite.exitStatus, .ioError)
            XCTAssertNotNil(StoreDamage(error))
        }
        XCTAssertNil(StoreDamage(SQLiteError(extendedResultCode: SQLITE_CONSTRAINT, message: "m")))
    }
}
