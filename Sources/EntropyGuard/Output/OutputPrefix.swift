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
/// The file is opened once and its hash checked while it is copied (`copy(count:to:)`), through the
/// same descriptor: reading it once to hash it and again to copy it cost ~0.05 s more per 230 MB.
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
        guard fstat(fd, &info) == 0, Int64(info.st_size) == record.length else {
            close(fd)
            return nil
        }
        return OutputPrefix(record: record, descriptor: fd)
    }

    /// The file's first `count` bytes (at most its length). Read before the file is checked: the
    /// caller copies it only after (and when the copy finds it changed, writes its file whole).
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

    /// The file as a Parquet writer can continue it (`ParquetFilePrefix`), valid while this is alive,
    /// and the hash its copy must check against (`SnapshotTableWriter`).
    func parquet() -> (prefix: ParquetFilePrefix, xxh3: String)? { ParquetFilePrefix(descriptor: descriptor).map { ($0, record.xxh3) } }

    /// Appends the file's first `count` bytes to `output` (empty, `hashed`), checking meanwhile that
    /// the file is the one recorded: the output's hash of the bytes copied, continued over the file's
    /// bytes after them on a copy of its state, must be the recorded XXH3. False when it is not (the
    /// file changed since it was recorded): `output` is then empty again, to be written whole.
    func copy(count: Int64, to output: BufferedFileOutput) throws -> Bool {
        try output.copy(from: descriptor, count: count)
        if let hash = output.hash, hash.length == count, hash.matches(record.xxh3, continuingWith: descriptor, from: count) { return true }
        try output.restart()
        return false
    }

    /// Records the file just committed as `role`'s, made from the rows the store holds: its length
    /// and XXH3 as written (`file`, no read-back). nil `settings` or `file`: forgets it, for stdout or
    /// a dry run.
    static func record(_ file: XXH3FileObserver?, role: String, settings: String?, entries: Int, kept: Int, store: WorkingStore) throws {
        guard let settings, let file else { return try store.setOutputFileRecord(role, nil) }
        try store.setOutputFileRecord(role, WorkingStore.OutputFileRecord(settings: settings, inputRows: try store.inputRowCount() ?? 0, entries: entries,
                                                                         kept: kept, length: file.length, xxh3: file.hex))
    }
}
