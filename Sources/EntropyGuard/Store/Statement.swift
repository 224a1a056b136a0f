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
/// Internal to the store: the rest of the program calls the store's named operations.
final class Statement {
    let handle: OpaquePointer
    unowned(unsafe) let database: Database
    let sql: String
    /// The arguments last given to `setArguments`, for the error message of a failing step.
    private var arguments: [SQLValue]?

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(extendedResultCode: rc, message: database.lastErrorMessage, sql: sql)
        }
        handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arguments = nil
    }

    /// Binds `values` to parameters 1...n, after checking that the statement has exactly n parameters
    /// (as GRDB's `Statement.setArguments` does): a missing or extra argument is our bug, reported as
    /// SQLITE_MISUSE with the statement and the arguments, instead of running with a NULL.
    func setArguments(_ values: [SQLValue]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(extendedResultCode: SQLITE_MISUSE,
                              message: "wrong number of statement arguments: \(values.count) for \(expected) parameters",
                              sql: sql, arguments: values)
        }
        arguments = values
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null: try check(sqlite3_bind_null(handle, index))
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try check(sqlite3_bind_double(handle, index, v))
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bindBlob(v, at: index)
        }
    }

    func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ value: Int, at index: Int32) throws { try bind(Int64(value), at: index) }

    func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    func bind(_ value: String, at index: Int32) throws {
        var value = value
        try value.withUTF8 { try bindText(UnsafeRawBufferPointer($0), at: index) }
    }

    /// Binds UTF-8 bytes as TEXT without building a String (SQLite copies them).
    func bindText(_ buffer: UnsafeRawBufferPointer, at index: Int32) throws {
        let pointer = (buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, index, pointer, Int32(buffer.count), transient))
    }

    /// Binds UTF-8 bytes as TEXT without a copy: the caller keeps `buffer` valid and unchanged until
    /// the statement has run and is reset or rebound.
    func bindTextNoCopy(_ buffer: UnsafeRawBufferPointer, at index: Int32) throws {
        let pointer = (buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, index, pointer, Int32(buffer.count), nil))
    }

    /// Binds a static string (it lives as long as the program) without a copy.
    func bind(_ value: StaticString, at index: Int32) throws {
        try bindTextNoCopy(UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount), at: index)
    }

    func bindText(bytes: [UInt8], at index: Int32) throws {
        try bytes.withUnsafeBytes { try bindText($0, at: index) }
    }

    /// Binds bytes as a BLOB (SQLite copies them). A zero-length blob still gets a non-NULL pointer,
    /// or SQLite would store NULL.
    func bindBlob(_ buffer: UnsafeRawBufferPointer, at index: Int32) throws {
        let pointer = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        try check(sqlite3_bind_blob(handle, index, pointer, Int32(buffer.count), transient))
    }

    func bindBlob(_ bytes: [UInt8], at index: Int32) throws {
        try bytes.withUnsafeBytes { try bindBlob($0, at: index) }
    }

    /// Advances to the next row; false when the statement is done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = SQLiteError(extendedResultCode: rc, message: database.lastErrorMessage, sql: sql, arguments: arguments)
        sqlite3_reset(handle)
        throw error
    }

    /// Steps until done and resets, for statements that return no rows.
    func runToCompletion() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK {
            throw SQLiteError(extendedResultCode: rc, message: database.lastErrorMessage, sql: sql, arguments: arguments)
        }
    }

    var columnCount: Int { Int(sqlite3_column_count(handle)) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func string(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's bytes (TEXT or BLOB) without copying; valid until the next step or reset.
    func withBytes<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func bytes(_ column: Int32) -> [UInt8] {
        withBytes(column) { Array($0) }
    }

    func value(at column: Int) -> SQLValue {
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
