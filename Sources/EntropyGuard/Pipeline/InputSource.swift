import Foundation
import Parquet
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
    /// The XXH3-128 of the first `length` bytes, hashed in the same read as `hash` when `open` was
    /// given a `prefixLength` the input reaches (JSONL, CSV, stdin; not Parquet): an append compares
    /// it with the store's recorded input hash (`InputAppend`) without reading the input again.
    public var prefixHash: PrefixHash?
    /// Parquet input: its files in the order they are read (sorted byte for byte), `filePath` first;
    /// empty for JSONL and CSV.
    public var parquetFiles: [String] = []
    /// Parquet input of one file: only these row groups are read (`--row-groups`, a cluster job's
    /// shard of a large file). Records keep their row group's index in the file, so the output reads
    /// them back as usual; the identity is the file's hash and the range.
    public var parquetRowGroups: Range<Int>?
    public var isStandardInput: Bool { displayPath == "-" }
    public var isParquet: Bool { !parquetFiles.isEmpty }

    /// The hash of the input's first `length` bytes.
    public struct PrefixHash: Equatable {
        public var length: Int64
        public var hash: XXH3Digest128
    }

    /// Stdin is copied into the working directory under this name: the store refers to records by offset.
    static let stdinSpoolName = "stdin.input"

    /// `open(path:spoolDirectory:prefixLength:)`, narrowed to `rowGroups` of a one-file Parquet input when given.
    public static func open(path: String, spoolDirectory: String, rowGroups: Range<Int>?, prefixLength: Int64? = nil) throws -> InputSource {
        var input = try open(path: path, spoolDirectory: spoolDirectory, prefixLength: prefixLength)
        guard let rowGroups else { return input }
        guard input.parquetFiles.count == 1 else {
            throw EntropyGuardError(.usage, "--row-groups: \(input.displayPath) is not one Parquet file")
        }
        let groups: Int
        do { groups = try ParquetFileReader(path: input.filePath).rowGroupCount } catch {
            throw EntropyGuardError(.dataError, "\(input.displayPath): \(error)")
        }
        guard rowGroups.upperBound <= groups else {
            throw EntropyGuardError(.usage, "--row-groups \(rowGroups.lowerBound):\(rowGroups.upperBound): \(input.displayPath) has \(groups) row groups")
        }
        // The whole file is hashed (as without a range), then the range: each shard's store knows its
        // rows. (Hashing only the range's column chunks would save re-reading a large file per shard.)
        let hasher = XXH3Stream128()
        let identity = Array("\(input.hash.hex);row-groups=\(rowGroups.lowerBound):\(rowGroups.upperBound)".utf8)
        identity.withUnsafeBytes { hasher.update($0) }
        input = InputSource(displayPath: input.displayPath, filePath: input.filePath, hash: hasher.digest(), byteCount: input.byteCount,
                            parquetFiles: input.parquetFiles, parquetRowGroups: rowGroups)
        return input
    }

    /// `prefixLength`: also hash the first that many bytes (`prefixHash`), in the same read; JSONL,
    /// CSV and stdin only (a Parquet input cannot grow by appending, see InputAppend).
    public static func open(path: String, spoolDirectory: String, prefixLength: Int64? = nil) throws -> InputSource {
        if path == "-" {
            let spool = (spoolDirectory as NSString).appendingPathComponent(stdinSpoolName)
            let (hash, count, prefix) = try copyHashing(from: STDIN_FILENO, displayPath: "<stdin>", to: spool, prefixLength: prefixLength)
            let parquet = hasParquetMagic(spool)
            return InputSource(displayPath: "-", filePath: spool, hash: hash, byteCount: count, prefixHash: parquet ? nil : prefix,
                               parquetFiles: parquet ? [spool] : [])
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if path.contains(where: { "*?[".contains($0) }) { return try openParquet(displayPath: path, files: globParquet(path)) }
            throw EntropyGuardError(.noInput, "\(path): input file not found")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return try openParquet(displayPath: path, files: parquetFiles(inDirectory: path))
        }
        if path.lowercased().hasSuffix(".parquet") || hasParquetMagic(path) {
            return try openParquet(displayPath: path, files: [path])
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EntropyGuardError(.noInput, "\(path): cannot read the input: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let (hash, count, prefix) = try copyHashing(from: fd, displayPath: path, to: nil, prefixLength: prefixLength)
        return InputSource(displayPath: path, filePath: path, hash: hash, byteCount: count, prefixHash: prefix)
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

    /// Parquet when `open` found Parquet files; otherwise JSONL or CSV: by extension, then by the first bytes.
    public func detectFormat(fileDescriptor fd: Int32) throws -> InputFormat {
        if isParquet { return .parquet }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &head, head.count, 0)
        head.removeSubrange(max(0, n)...)
        return InputFormat.detect(path: isStandardInput ? "" : displayPath, firstBytes: head)
    }

    /// Parquet input: the files hashed one after the other as one stream of bytes (their contents
    /// only, never their names, so moving the files keeps the checkpoints; each Parquet file starts and
    /// ends with its magic and its footer length, so no two sets of files give the same stream).
    private static func openParquet(displayPath: String, files: [String]) throws -> InputSource {
        guard !files.isEmpty else { throw EntropyGuardError(.noInput, "\(displayPath): no .parquet files found") }
        let sorted = files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let hasher = XXH3Stream128()
        var total: Int64 = 0
        for file in sorted {
            let fd = Glibc.open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw EntropyGuardError(.noInput, "\(file): cannot read the input: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            total += try copyHashing(from: fd, displayPath: file, to: nil, into: hasher)
        }
        return InputSource(displayPath: displayPath, filePath: sorted[0], hash: hasher.digest(), byteCount: total, parquetFiles: sorted)
    }

    /// The `.parquet` files (any case) directly in `directory`.
    private static func parquetFiles(inDirectory directory: String) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw EntropyGuardError(.noInput, "\(directory): cannot list the directory: \(error.localizedDescription)")
        }
        return names.filter { $0.lowercased().hasSuffix(".parquet") && !$0.hasPrefix(".") }
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// The Parquet files (by extension or magic) a glob pattern such as `data/*.parquet` names.
    private static func globParquet(_ pattern: String) throws -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { throw EntropyGuardError(.noInput, "\(pattern): no input files match") }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
            .filter { $0.lowercased().hasSuffix(".parquet") || hasParquetMagic($0) }
    }

    /// Whether the file starts with Parquet's magic `PAR1` (whatever its name).
    private static func hasParquetMagic(_ path: String) -> Bool {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        return pread(fd, &head, 4, 0) == 4 && head == Array("PAR1".utf8)
    }

    /// The XXH3-128 of a file, without keeping anything.
    public static func hashOnly(path: String) throws -> XXH3Digest128 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EntropyGuardError(.noInput, "\(path): cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try copyHashing(from: fd, displayPath: path, to: nil).hash
    }

    /// Reads `fd` to the end in 4 MiB blocks, hashing, and copying to `destination` if given; with
    /// `prefixLength`, the hash of the first that many bytes too when the input has them.
    private static func copyHashing(from fd: Int32, displayPath: String, to destination: String?,
                                    prefixLength: Int64? = nil) throws -> (hash: XXH3Digest128, count: Int64, prefix: PrefixHash?) {
        let hasher = XXH3Stream128()
        var prefix: PrefixHash?
        let total = try copyHashing(from: fd, displayPath: displayPath, to: destination, into: hasher, prefixLength: prefixLength) {
            prefix = PrefixHash(length: $0, hash: $1)
        }
        return (hasher.digest(), total, prefix)
    }

    /// Reads `fd` to the end into `hasher` (and `destination`); returns the byte count. When the bytes
    /// read reach `prefixLength`, calls `atPrefix` with the digest of the first `prefixLength` bytes:
    /// XXH3's digest leaves its streaming state as it is, so one read gives both hashes (reading the
    /// input again for the prefix was a second pass over it: ~63 ms of a 10k-row append to 1M rows).
    private static func copyHashing(from fd: Int32, displayPath: String, to destination: String?, into hasher: XXH3Stream128,
                                    prefixLength: Int64? = nil,
                                    atPrefix: (Int64, XXH3Digest128) -> Void = { _, _ in }) throws -> Int64 {
        var out: Int32 = -1
        if let destination {
            out = Glibc.open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard out >= 0 else {
                throw EntropyGuardError(.cannotCreate, "\(destination): cannot create the stdin spool file: \(String(cString: strerror(errno)))")
            }
        }
        defer { if out >= 0 { close(out) } }
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
            if let prefixLength, prefixLength > total, prefixLength <= total + Int64(n) {
                let split = Int(prefixLength - total)
                hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<split]))
                atPrefix(prefixLength, hasher.digest())
                hasher.update(UnsafeRawBufferPointer(rebasing: chunk[split...]))
            } else {
                hasher.update(chunk)
            }
            if out >= 0 { try writeAll(out, chunk, path: destination ?? "") }
            total += Int64(n)
        }
        return total
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
