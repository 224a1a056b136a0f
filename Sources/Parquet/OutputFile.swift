#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written under a temporary name in the destination directory and renamed into place on
/// `commit`, so readers never see a partial file; `discard` removes the temporary file.
final class OutputFile {
    let path: String
    let temporaryPath: String
    private var descriptor: Int32
    /// Bytes written so far (= offset of the next write).
    private(set) var offset: Int64 = 0

    init(path: String) throws {
        self.path = path
        guard !path.isEmpty && !path.hasSuffix("/") else { throw ParquetError.invalidArgument("not a file path: \(path)") }
        temporaryPath = TemporaryFileName.make(for: path)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 {
            throw ParquetError.io(.create, temporaryPath)
        }
    }

    deinit {
        if descriptor >= 0 { discard() }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError.io(.write, temporaryPath)
            }
            done += n
        }
        offset += Int64(bytes.count)
    }

    /// Closes the file and renames it to its final path (replacing any existing file).
    func commit() throws {
        let fd = descriptor
        descriptor = -1
        if systemClose(fd) != 0 {
            let error = ParquetError.io(.close, temporaryPath)
            unlink(temporaryPath)
            throw error
        }
        if rename(temporaryPath, path) != 0 {
            let error = ParquetError.io(.rename, path)
            unlink(temporaryPath)
            throw error
        }
    }

    /// Closes and deletes the temporary file. Idempotent.
    func discard() {
        guard descriptor >= 0 else { return }
        _ = systemClose(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
#else
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
#endif
