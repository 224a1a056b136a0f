import CSQLite

/// A value bound to or read from SQLite.
public enum SQLValue: Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int64: Int64? { if case .integer(let v) = self { return v }; return nil }
    public var int: Int? { int64.map(Int.init) }
    public var double: Double? {
        switch self { case .real(let v): return v; case .integer(let v): return Double(v); default: return nil }
    }
    public var string: String? { if case .text(let v) = self { return v }; return nil }
}

/// SQLite's SQLITE_TRANSIENT: tells sqlite3_bind_* to copy the bytes before returning.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Bind with 1-based indices, read columns with 0-based ones (as SQLite does).
public final class Statement {
    let handle: OpaquePointer
    unowned(unsafe) let database: Database
    public let sql: String

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: database.lastErrorMessage, sql: sql)
        }
        handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    public func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null: try database.check(sqlite3_bind_null(handle, index), sql: sql)
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try database.check(sqlite3_bind_double(handle, index, v), sql: sql)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bindBlob(v, at: index)
        }
    }

    public func bind(_ value: Int64, at index: Int32) throws {
        try database.check(sqlite3_bind_int64(handle, index, value), sql: sql)
    }

    public func bind(_ value: Int, at index: Int32) throws { try bind(Int64(value), at: index) }

    public func bind(_ value: Double, at index: Int32) throws {
        try database.check(sqlite3_bind_double(handle, index, value), sql: sql)
    }

    public func bindNull(at index: Int32) throws {
        try database.check(sqlite3_bind_null(handle, index), sql: sql)
    }

    public func bind(_ value: String, at index: Int32) throws {
        var value = value
        try value.withUTF8 { try bindText(UnsafeRawBufferPointer($0), at: index) }
    }

    /// Binds UTF-8 bytes as TEXT without building a String (SQLite copies them).
    public func bindText(_ buffer: UnsafeRawBufferPointer, at index: Int32) throws {
        let pointer = (buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        try database.check(sqlite3_bind_text(handle, index, pointer, Int32(buffer.count), transient), sql: sql)
    }

    /// Binds UTF-8 bytes as TEXT without a copy: the caller keeps `buffer` valid and unchanged until
    /// the statement has run and is reset or rebound.
    public func bindTextNoCopy(_ buffer: UnsafeRawBufferPointer, at index: Int32) throws {
        let pointer = (buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        try database.check(sqlite3_bind_text(handle, index, pointer, Int32(buffer.count), nil), sql: sql)
    }

    /// Binds a static string (it lives as long as the program) without a copy.
    public func bind(_ value: StaticString, at index: Int32) throws {
        try bindTextNoCopy(UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount), at: index)
    }

    public func bindText(bytes: [UInt8], at index: Int32) throws {
        try bytes.withUnsafeBytes { try bindText($0, at: index) }
    }

    /// Binds bytes as a BLOB (SQLite copies them). A zero-length blob still gets a non-NULL pointer,
    /// or SQLite would store NULL.
    public func bindBlob(_ buffer: UnsafeRawBufferPointer, at index: Int32) throws {
        let pointer = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        try database.check(sqlite3_bind_blob(handle, index, pointer, Int32(buffer.count), transient), sql: sql)
    }

    public func bindBlob(_ bytes: [UInt8], at index: Int32) throws {
        try bytes.withUnsafeBytes { try bindBlob($0, at: index) }
    }

    /// Advances to the next row; false when the statement is done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = SQLiteError(code: rc, message: database.lastErrorMessage, sql: sql)
        sqlite3_reset(handle)
        throw error
    }

    /// Steps until done and resets, for statements that return no rows.
    public func runToCompletion() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func string(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's bytes (TEXT or BLOB) without copying; valid until the next step or reset.
    public func withBytes<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    public func bytes(_ column: Int32) -> [UInt8] {
        withBytes(column) { Array($0) }
    }

    public func value(at column: Int) -> SQLValue {
        let index = Int32(column)
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_FLOAT: return .real(double(index))
        case SQLITE_TEXT: return .text(string(index) ?? "")
        case SQLITE_BLOB: return .blob(bytes(index))
        default: return .null
        }
    }
}
