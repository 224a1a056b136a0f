import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// An append's output file (the cleaned JSONL/CSV output, the audit log) made from the previous one:
/// the old rows' bytes are copied from it and only the new rows are encoded.
///
/// Why the old file is the new file's start: outputs are in input order, the old rows come first, and
/// an append that ran every stage on the new rows only (`InputAppend`) left every old row's verdict as
/// it was, so a full run over the grown input writes the old rows as the previous run did. When the
/// append ended early (semantic dedup's IVF search reran over all rows) the pipeline passes no
/// `appendFrom` and the file is written whole.
///
/// Trusted only when it is exactly what the store's previous run wrote: the store recorded each
/// output's settings (the last stage's config hash and the output options, never a path), its input
/// row count, length and XXH3 at write time (`WorkingStore.OutputFileRecord`); the file at the output
/// path must have that length and hash, and the record that row count and settings. Anything else
/// (no record, a file changed, damaged or written by another run) → the file is written whole.
/// The file is opened once: hashed and then copied through the same descriptor.
final class OutputPrefix {
    let record: WorkingStore.OutputFileRecord
    private let descriptor: Int32

    private init(record: WorkingStore.OutputFileRecord, descriptor: Int32) {
        self.record = record
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The previous `role` file at `path`, when an append from row `appendFrom` can start from it.
    static func open(path: String, role: String, settings: String, store: WorkingStore, appendFrom: Int64?) throws -> OutputPrefix? {
        guard let appendFrom, path != "-", let record = try store.outputFileRecord(role),
              record.settings == settings, record.inputRows == appendFrom else { return nil }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, Int64(info.st_size) == record.length,
              SnapshotCheck.xxh3(ofDescriptor: fd) == record.xxh3 else {
            close(fd)
            return nil
        }
        return OutputPrefix(record: record, descriptor: fd)
    }

    /// The file's first `count` bytes (at most its length), checked to equal `expected` when given.
    func bytes(count: Int) -> [UInt8]? {
        guard Int64(count) <= record.length else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        return n == count ? bytes : nil
    }

    /// The file's last `count` bytes.
    func tail(count: Int) -> [UInt8]? {
        guard Int64(count) <= record.length else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(record.length - Int64(count))) }
        return n == count ? bytes : nil
    }

    /// The file as a Parquet writer can continue it (`ParquetFilePrefix`), valid while this is alive.
    func parquet() -> ParquetFilePrefix? { ParquetFilePrefix(descriptor: descriptor) }

    /// Appends the file's first `count` bytes to `output`.
    func copy(count: Int64, to output: BufferedFileOutput) throws {
        try output.copy(from: descriptor, count: count)
    }

    /// Records the file just committed at `path` as `role`'s, made from the rows the store holds (nil
    /// `settings`: forgets it, for stdout or a dry run).
    static func record(path: String, role: String, settings: String?, entries: Int, kept: Int, store: WorkingStore) throws {
        guard let settings, path != "-" else { return try store.setOutputFileRecord(role, nil) }
        var info = stat()
        guard stat(path, &info) == 0, let hash = SnapshotCheck.xxh3(ofFile: path) else { return try store.setOutputFileRecord(role, nil) }
        try store.setOutputFileRecord(role, WorkingStore.OutputFileRecord(settings: settings, inputRows: try store.inputRowCount() ?? 0, entries: entries,
                                                                         kept: kept, length: Int64(info.st_size), xxh3: hash))
    }
}
