#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for reading ranges with `pread` (positioned, so column chunks may be read from
/// several threads at once). Closed when released.
final class ReadOnlyFile: @unchecked Sendable {
    let path: String
    let size: Int64
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetReadError(file: path, problem: .io(operation: "open", code: errno)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw ParquetReadError(file: path, problem: .io(operation: "stat", code: code))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ParquetReadError(file: path, problem: .io(operation: "read a directory or device as a file", code: EISDIR))
        }
        descriptor = fd
        size = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    /// `count` bytes from `offset`; a short file is `.truncated` (the caller adds where it was reading).
    func read(offset: Int64, count: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, Int64(count) <= size - offset else {
            throw ParquetReadError(file: path, problem: .truncated("\(what()) (bytes \(offset)..<\(offset + Int64(count))) lies past the end of the \(size)-byte file"))
        }
        // Uninitialized: pread fills every byte or the read fails (no memset of a whole column chunk).
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(descriptor, buffer.baseAddress!.advanced(by: done), count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ParquetReadError(file: path, problem: .io(operation: "read", code: errno))
                }
                if n == 0 {
                    throw ParquetReadError(file: path, problem: .truncated("\(what()) ends early: the file shrank while being read"))
                }
                done += n
            }
            initialized = count
        }
    }
}
