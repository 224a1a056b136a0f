#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything the Parquet module can fail with, by kind, so a caller can tell its own bug from a full
/// disk (after arrow-rs `parquet/src/errors.rs`). Each case carries what a one-line message needs.
public enum ParquetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The caller broke the writer's contract: an invalid schema or options, a row of the wrong width,
    /// a value that does not fit its column, use after close. A bug in the caller, not bad data.
    case invalidArgument(String)
    /// A value or page beyond what the format can hold (Thrift's i32 sizes: 2 GiB).
    case limitExceeded(String)
    /// The operating system refused a file operation on `path`; `code` is its errno.
    case io(operation: IOOperation, path: String, code: Int32)
    /// The compression library failed (it reports no more than a name).
    case compression(String)

    /// The file operations that can fail, so callers can tell "cannot create" from "cannot write".
    public enum IOOperation: String, Sendable {
        case create, write, sync, close, rename
    }

    /// `.io` with the current `errno`.
    static func io(_ operation: IOOperation, _ path: String) -> ParquetError {
        .io(operation: operation, path: path, code: errno)
    }

    public var description: String {
        switch self {
        case .invalidArgument(let message): return "invalid argument: \(message)"
        case .limitExceeded(let message): return "limit exceeded: \(message)"
        case .io(let operation, let path, let code): return "cannot \(operation.rawValue) \(path): \(String(cString: strerror(code)))"
        case .compression(let message): return "compression failed: \(message)"
        }
    }
}
