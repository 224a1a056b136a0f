import CSQLite

/// An SQLite failure with the library's result code and message, and the statement that caused it
/// (for debugging: `description`, which users see, leaves the SQL out).
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String { "SQLite error \(code) (\(message))" }

    /// True for "disk full" and I/O failures, which the CLI reports as exit 74.
    public var isIOError: Bool {
        let primary = code & 0xff
        return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN
    }

    /// True when SQLite found the file damaged (SQLITE_CORRUPT, 11) or not a database at all
    /// (SQLITE_NOTADB, 26): the store cannot be trusted, which is not a bug of ours (see StoreDamage).
    public var isCorruption: Bool {
        let primary = code & 0xff
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
    }
}
