/// The process exit codes (BSD sysexits where one fits), documented in the README.
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    case usage = 64          // EX_USAGE: bad flags or config
    case dataError = 65      // EX_DATAERR: bad input record
    case noInput = 66        // EX_NOINPUT: input (or model) missing or unreadable
    case internalError = 70  // EX_SOFTWARE
    case cannotCreate = 73   // EX_CANTCREAT: output cannot be created
    case ioError = 74        // EX_IOERR: read/write failure, disk full
    case locked = 75         // EX_TEMPFAIL: another run holds the checkpoint dir
    case interrupted = 130   // SIGINT/SIGTERM, after committing the current batch
}

/// An error the CLI reports as one clear line and an exit status.
public struct EntropyGuardError: Error, CustomStringConvertible {
    public let status: ExitStatus
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    public static func usage(_ message: String) -> EntropyGuardError { .init(.usage, message) }
    public static func interrupted() -> EntropyGuardError {
        .init(.interrupted, "Interrupted: the last batch was committed; run the same command again to resume.")
    }
}
