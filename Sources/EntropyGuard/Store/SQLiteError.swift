import CSQLite

/// An SQLite failure, kept the way GRDB's `DatabaseError` keeps it: the primary and extended result
/// codes, SQLite's message, the statement and the arguments it ran with. `description`, which users
/// see, is the codes and the message; `debugDescription` adds the statement, `expandedDescription` the
/// arguments too (they may be the dataset's texts).
///
/// `kind` sorts the result codes by who can fix the problem, and that decides the exit status: a full
/// disk, a failing read or a damaged store file (damage from outside, like a file we cannot read back)
/// is an I/O error (74), a read-only store cannot be written (73), a store held by another connection
/// is temporary (75), and everything else (a statement that does not compile, a broken constraint, a
/// wrong number of arguments) is a bug of ours (70), never reported as an I/O error.
public struct SQLiteError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN: disk full, a read or write failed, the file cannot be opened.
        case ioError
        /// SQLITE_CORRUPT, SQLITE_NOTADB: the store file is damaged or is not a database.
        case corrupt
        /// SQLITE_READONLY, SQLITE_PERM: the store cannot be written.
        case readOnly
        /// SQLITE_BUSY, SQLITE_LOCKED: another connection holds the store past the busy timeout.
        case busy
        /// Anything else: the statement or its use is wrong.
        case bug
    }

    /// The extended result code (SQLite's primary code in the low 8 bits, refined above them).
    public let extendedResultCode: Int32
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?
    /// The arguments the statement ran with, when they were given as a list. Kept out of
    /// `description` (they may be the dataset's texts); `expandedDescription` shows them.
    public let arguments: [SQLValue]?

    public init(extendedResultCode: Int32, message: String, sql: String? = nil, arguments: [SQLValue]? = nil) {
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.sql = sql
        self.arguments = arguments
    }

    /// The primary result code (SQLITE_IOERR for SQLITE_IOERR_WRITE, ...).
    public var resultCode: Int32 { extendedResultCode & 0xff }

    public var kind: Kind {
        switch resultCode {
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN: return .ioError
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
        case SQLITE_READONLY, SQLITE_PERM: return .readOnly
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        default: return .bug
        }
    }

    /// The exit status the CLI reports this failure with.
    public var exitStatus: ExitStatus {
        switch kind {
        case .ioError: return .ioError
        case .corrupt: return .ioError
        case .readOnly: return .cannotCreate
        case .busy: return .locked
        case .bug: return .internalError
        }
    }

    /// True for "disk full" and I/O failures.
    public var isIOError: Bool { kind == .ioError }

    /// True when SQLite found the file damaged (SQLITE_CORRUPT) or not a database at all
    /// (SQLITE_NOTADB): the store cannot be trusted, which is not a bug of ours (see StoreDamage).
    public var isCorruption: Bool { kind == .corrupt }

    /// One line for users: the codes and SQLite's message.
    public var description: String {
        var text = "SQLite error \(resultCode)"
        if extendedResultCode != resultCode { text += " (extended \(extendedResultCode))" }
        return text + ": \(message)"
    }

    /// `description` and the statement (whitespace collapsed, cut at 200 characters): for a bug report.
    public var debugDescription: String {
        guard let sql else { return description }
        return description + " - while executing `\(Self.oneLine(sql))`"
    }

    /// `debugDescription` plus the arguments (texts cut at 64 characters).
    public var expandedDescription: String {
        guard let arguments, !arguments.isEmpty else { return debugDescription }
        let shown = arguments.map { value -> String in
            switch value {
            case .null: return "NULL"
            case .integer(let v): return String(v)
            case .real(let v): return String(v)
            case .text(let v): return "'" + (v.count > 64 ? String(v.prefix(64)) + "…" : v) + "'"
            case .blob(let v): return "<\(v.count) bytes>"
            }
        }
        return debugDescription + " with arguments [" + shown.joined(separator: ", ") + "]"
    }

    private static func oneLine(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        let line = words.joined(separator: " ")
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
