import ArgumentParser
import EntropyGuard
import Foundation
import Parquet

/// Turns a library error into one line on stderr and the documented exit status.
enum CLIFailure {
    static func report(_ error: Error) -> ExitCode {
        let status: ExitStatus
        let message: String
        switch error {
        case let error as EntropyGuardError:
            status = error.status
            message = error.message
        case let error as RecordError:
            // A record the readers cannot even delimit (the pipeline turns the others into rows or
            // EntropyGuardErrors): bad input data all the same.
            status = .dataError
            message = error.report
        case let error as InputReadError:
            status = .ioError
            message = error.description
        case let error as ParquetError:
            let mapped = EntropyGuardError(error, writing: "Parquet output")
            status = mapped.status
            message = mapped.message
        case let error as SQLiteError:
            // The kind decides: I/O or a damaged store 74, read-only 73, busy 75, our bug 70 (with the
            // statement, for the report; never its arguments, which may be the dataset's texts).
            status = error.exitStatus
            switch error.kind {
            case .corrupt: message = "working store is damaged (remove the checkpoint directory or use another one): \(error)"
            case .bug: message = "internal error: working store: \(error.debugDescription)"
            default: message = "working store: \(error)"
            }
        case let error as CustomStringConvertible:
            status = .internalError
            message = "internal error: \(error.description)"
        default:
            status = .internalError
            message = "internal error: \(error)"
        }
        FileHandle.standardError.write(Data("entropyguard: error: \(message)\n".utf8))
        return ExitCode(status.rawValue)
    }
}
