#if canImport(Glibc)
import Glibc
#endif
import Parquet

/// Reads records back from the input by (offset, length). The output asks in increasing offset order,
/// so reads go through a 4 MiB window refilled in place with pread(2): sequential I/O, bounded
/// memory, and no new buffer (to zero and fault in) per refill.
final class InputRecordFetcher {
    private let fd: Int32
    private let path: String
    // Read for every record: exempt from the runtime exclusivity checks of class properties (one
    // thread uses a fetcher, and nothing else touches these).
    @exclusivity(unchecked) private var window: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) private var windowStart: Int64 = 0
    @exclusivity(unchecked) private var windowCount = 0
    /// The input's size when it was hashed: the store's records were ingested from exactly these bytes.
    private let byteCount: Int64
    /// Parquet input: records are (file, row group, row), read by this instead of the window.
    private let parquet: ParquetRecordFetcher?

    init(input: InputSource) throws {
        parquet = input.isParquet ? ParquetRecordFetcher(files: input.parquetFiles) : nil
        fd = open(input.filePath, O_RDONLY | O_CLOEXEC)
        path = input.displayPath
        byteCount = input.byteCount
        guard fd >= 0 else {
            throw EntropyGuardError(.noInput, "\(input.displayPath): cannot read the input: \(String(cString: strerror(errno)))")
        }
        window = .allocate(byteCount: 4 << 20, alignment: 64)
    }

    deinit {
        close(fd)
        window.deallocate()
    }

    /// A copy of the bytes at `offset`.
    func bytes(offset: Int64, length: Int) throws -> [UInt8] {
        try withBytes(offset: offset, length: length) { Array($0) }
    }

    /// Calls `body` with the bytes at `offset` (valid only inside `body`).
    func withBytes<T>(offset: Int64, length: Int, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        if let parquet { return try parquet.withRecord(ParquetRecordID(offset: offset, length: length), body) }
        // The input matches the store's hash, so a range outside it is a damaged row in the store
        // (a flipped record_offset read as "Invalid argument" from pread, a huge length as a crash).
        guard offset >= 0, length >= 0, offset <= byteCount - Int64(length) else {
            throw StoreDamage("a row points outside the input (\(length) bytes at offset \(offset) of \(byteCount))")
        }
        if offset < windowStart || offset + Int64(length) > windowStart + Int64(windowCount) {
            try refill(at: offset, minimum: length)
        }
        let start = Int(offset - windowStart)
        return try body(UnsafeRawBufferPointer(rebasing: window[start..<start + length]))
    }

    /// Parquet input: calls `body` with the values of the record at (offset, length), a `ParquetRecordID`.
    func withParquetRow<T>(offset: Int64, length: Int, _ body: ([ParquetFieldValue]) throws -> T) throws -> T {
        guard let parquet else { preconditionFailure("not a Parquet input") }
        return try parquet.withRow(ParquetRecordID(offset: offset, length: length), body)
    }

    private func refill(at offset: Int64, minimum: Int) throws {
        if minimum > window.count {
            window.deallocate()
            window = .allocate(byteCount: minimum, alignment: 64)
        }
        let size = window.count
        var filled = 0
        while filled < size {
            let n = pread(fd, window.baseAddress! + filled, size - filled, off_t(offset) + off_t(filled))
            if n < 0 {
                if errno == EINTR { continue }
                throw EntropyGuardError(.ioError, "\(path): read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        guard filled >= minimum else {
            throw EntropyGuardError(.dataError, "\(path): the input is shorter than when it was ingested; run again without --resume")
        }
        windowStart = offset
        windowCount = filled
    }
}
