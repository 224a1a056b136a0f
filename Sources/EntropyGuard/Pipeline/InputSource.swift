import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The input file and its identity. Identity is the XXH3-128 of the bytes, so moving or renaming the
/// file keeps checkpoints valid and any change of content invalidates them. Standard input is spooled
/// to a file in the working directory while it is hashed, so ingest can stream and resume from it.
public struct InputSource {
    /// What the user named (`-` for stdin).
    public let displayPath: String
    /// The file that is read.
    public let filePath: String
    public let hash: XXH3Digest128
    public let byteCount: Int64
    public var isStandardInput: Bool { displayPath == "-" }

    /// Stdin is copied into the working directory under this name: the store refers to records by offset.
    static let stdinSpoolName = "stdin.input"

    public static func open(path: String, spoolDirectory: String) throws -> InputSource {
        if path == "-" {
            let spool = (spoolDirectory as NSString).appendingPathComponent(stdinSpoolName)
            let (hash, count) = try copyHashing(from: STDIN_FILENO, displayPath: "<stdin>", to: spool)
            return InputSource(displayPath: "-", filePath: spool, hash: hash, byteCount: count)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw EntropyGuardError(.noInput, "\(path): input file not found")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw EntropyGuardError(.noInput, "\(path): is a directory, not an input file")
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EntropyGuardError(.noInput, "\(path): cannot read the input: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let (hash, count) = try copyHashing(from: fd, displayPath: path, to: nil)
        return InputSource(displayPath: path, filePath: path, hash: hash, byteCount: count)
    }

    /// The name used in messages about records ("<stdin>" for standard input).
    public var recordPath: String { isStandardInput ? "<stdin>" : displayPath }

    /// Opens the input file for reading (the caller closes it).
    public func openForReading() throws -> Int32 {
        let fd = Glibc.open(filePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EntropyGuardError(.noInput, "\(displayPath): cannot read the input: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// JSONL or CSV: by extension, then by the first bytes. A Parquet file (magic `PAR1` at offset 0,
    /// whatever its name) is refused with exit 65: read as CSV it gave a header of binary bytes and an
    /// internal error.
    public func detectFormat(fileDescriptor fd: Int32) throws -> InputFormat {
        var head = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &head, head.count, 0)
        head.removeSubrange(max(0, n)...)
        if head.starts(with: Array("PAR1".utf8)) {
            throw EntropyGuardError(.dataError, "\(recordPath): is a Parquet file; Parquet input is not supported yet, only JSONL and CSV (convert it first, e.g. duckdb -c \"COPY (FROM 'in.parquet') TO 'in.jsonl'\")")
        }
        return InputFormat.detect(path: isStandardInput ? "" : displayPath, firstBytes: head)
    }

    /// The XXH3-128 of a file, without keeping anything.
    public static func hashOnly(path: String) throws -> XXH3Digest128 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EntropyGuardError(.noInput, "\(path): cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try copyHashing(from: fd, displayPath: path, to: nil).0
    }

    /// Reads `fd` to the end in 4 MiB blocks, hashing, and copying to `destination` if given.
    private static func copyHashing(from fd: Int32, displayPath: String, to destination: String?) throws -> (XXH3Digest128, Int64) {
        var out: Int32 = -1
        if let destination {
            out = Glibc.open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard out >= 0 else {
                throw EntropyGuardError(.cannotCreate, "\(destination): cannot create the stdin spool file: \(String(cString: strerror(errno)))")
            }
        }
        defer { if out >= 0 { close(out) } }
        let hasher = XXH3Stream128()
        let blockSize = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, blockSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw EntropyGuardError(.ioError, "\(displayPath): read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(chunk)
            if out >= 0 { try writeAll(out, chunk, path: destination ?? "") }
            total += Int64(n)
        }
        return (hasher.digest(), total)
    }
}

/// write(2) until every byte is written; disk full and other failures become exit 74.
func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
    var offset = 0
    while offset < buffer.count {
        let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            throw EntropyGuardError(.ioError, "\(path): write failed: \(String(cString: strerror(errno)))")
        }
        offset += n
    }
}
