import Parquet
#if canImport(Glibc)
import Glibc
#endif

extension EntropyGuardError {
    /// A Parquet writer's failure as the exit status it deserves: a file that cannot be created is 73,
    /// a failed write 74, a value too large for the format 65, and a broken contract or a compression
    /// library failure is our bug (70), never disguised as an I/O error.
    public init(_ error: ParquetError, writing path: String) {
        switch error {
        case .io(operation: .create, _, _), .io(operation: .rename, _, _):
            self.init(.cannotCreate, "\(path): \(error)")
        case .io:
            self.init(.ioError, "\(path): \(error)")
        case .limitExceeded:
            self.init(.dataError, "\(path): \(error)")
        case .invalidArgument, .compression:
            self.init(.internalError, "internal error writing \(path): \(error)")
        }
    }
}

extension EntropyGuardError {
    /// A Parquet input that cannot be read: bad or unsupported data is 65 (the message names the file,
    /// row group, column and page as far as known), a file that is gone 66, another read failure 74.
    public init(_ error: ParquetReadError) {
        if error.isBadData {
            self.init(.dataError, error.description)
        } else if case .io(_, let code) = error.problem, code == ENOENT {
            self.init(.noInput, error.description)
        } else {
            self.init(.ioError, error.description)
        }
    }
}
