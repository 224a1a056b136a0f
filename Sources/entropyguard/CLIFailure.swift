import ArgumentParser
import EntropyGuard
import Foundation
import Parquet

/// Turns a library error into one line on stderr and the documented exit status.
enum CLIFailure {
    static func report(_ error: Error) -> ExitCode {
        let (status, message) = statusAndMessage(error)
        FileHandle.standardError.write(Data("entropyguard: error: \(message)\n".utf8))
        return ExitCode(status.rawValue)
    }

    static func statusAndMessage(_ error: Error) -> (ExitStatus, String) {
        // A damaged store is damage from outside, not our bug: exit 74, like other files we cannot read back.
        if let damage = StoreDamage(error) { return (.ioError, damage.description) }
        switch error {
        case let error as EntropyGuardError:
            return (error.status, error.message)
        case let error as RecordError:
            // A record the readers cannot even delimit (the pipeline turns the others into rows or
            // EntropyGuardErrors): bad input data all the same.
            return (.dataError, error.report)
        case let error as InputReadError:
            return (.ioError, error.description)
        case let error as ParquetReadError:
            let mapped = EntropyGuardError(error)
            return (mapped.status, mapped.message)
        case let error as ParquetError:
            let mapped = EntropyGuardError(error, writing: "Parquet output")
            return (mapped.status, mapped.message)
        case let error as SQLiteError:
            // The kind decides: I/O 74, read-only 73, busy 75, our bug 70 (with the statement, for the
            // report; never its arguments, which may be the dataset's texts). Damage is caught above.
            return (error.exitStatus, error.kind == .bug ? "internal error: working store: \(error.debugDescription)" : "working store: \(error)")
        case let error as CustomStringConvertible:
            return (.internalError, "internal error: \(error.description)")
        default:
            return (.internalError, "internal error: \(error)")
        }
    }
}
