import CSQLite
import CSQLiteSupport

/// SQLite is configured once per process, before first use: multi-thread mode (no per-connection
/// mutexes) and no memory statistics. Every connection is used from one thread at a time; the store's
/// background checkpointer has a connection of its own.
private let sqliteConfigured: Void = { _ = eg_sqlite_configure_multi_thread() }()

/// One SQLite connection. Not thread-safe: use it from one thread at a time (it has no mutex).
/// Modelled on GRDB: prepared statements are cached by SQL text, transactions are closures, a list of
/// arguments is checked against the statement's parameters. Internal to the store: SQL is written in
/// `Store/` and `schema/` only, and everything else calls `WorkingStore`'s named operations.
final class Database {
    let handle: OpaquePointer
    let path: String
    private var statementCache: [String: Statement] = [:]

    /// `readOnly`: a second connection that only reads (SQLITE_OPEN_READONLY; in WAL mode it reads the
    /// last committed state while the store's own connection writes).
    init(path: String, readOnly: Bool = false) throws {
        _ = sqliteConfigured
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(extendedResultCode: rc, message: "\(message): \(path)")
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements without parameters.
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(extendedResultCode: rc, message: message, sql: sql)
        }
    }

    /// A prepared statement, cached for the connection's lifetime (reset and unbound before reuse).
    func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE, so the write lock is taken up front);
    /// commits when it returns, rolls back when it throws.
    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` in a read transaction (BEGIN DEFERRED: one snapshot for all its reads, no write lock,
    /// as a read-only connection needs); ends it when `body` returns or throws.
    @discardableResult
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(begin: "BEGIN DEFERRED", body)
    }

    private func inTransaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a statement with arguments once.
    func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
        let statement = try cachedStatement(sql)
        try statement.setArguments(arguments)
        try statement.runToCompletion()
    }

    /// The rows of a query, each as an array of values (for small results).
    func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try cachedStatement(sql)
        try statement.setArguments(arguments)
        var result: [[SQLValue]] = []
        while try statement.step() {
            result.append((0..<statement.columnCount).map { statement.value(at: $0) })
        }
        return result
    }

    /// The first column of the first row, if any.
    func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        let statement = try cachedStatement(sql)
        try statement.setArguments(arguments)
        guard try statement.step() else { return nil }
        let value = statement.value(at: 0)
        statement.reset()
        return value
    }

    /// `count` bytes at `offset` of the BLOB in `column` of row `row` of `table`, read with incremental
    /// BLOB I/O: SQLite reads only the overflow pages that hold them, not the whole value.
    func readBlob(table: String, column: String, row: Int64, offset: Int, count: Int) throws -> [UInt8] {
        var blob: OpaquePointer?
        try check(sqlite3_blob_open(handle, "main", table, column, row, 0, &blob), sql: "blob \(table).\(column) of row \(row)")
        defer { sqlite3_blob_close(blob) }
        var bytes = [UInt8](repeating: 0, count: count)
        guard offset + count <= Int(sqlite3_blob_bytes(blob)) else {
            throw StoreDamage("\(table).\(column) of row \(row) holds \(sqlite3_blob_bytes(blob)) bytes, fewer than \(offset + count)")
        }
        try bytes.withUnsafeMutableBytes { buffer in
            try check(sqlite3_blob_read(blob, buffer.baseAddress, Int32(count), Int32(offset)), sql: "blob \(table).\(column) of row \(row)")
        }
        return bytes
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func check(_ rc: Int32, sql: String?) throws {
        if rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW {
            throw SQLiteError(extendedResultCode: rc, message: lastErrorMessage, sql: sql)
        }
    }
}
