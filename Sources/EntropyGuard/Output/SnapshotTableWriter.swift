import Foundation
import Parquet

/// Writes the rows alive after a stage as a Parquet file, in input order (chunks where their parent was):
/// `_row` (when asked), `_parent_row` and `_chunk_index` (when the rows can include chunks), then the
/// input columns of `schema`, the text column holding the text as that stage left it. The rows are
/// `RowReader.forEachStageRow`, read by `rows`: on the store's own connection, or a `SnapshotReader`'s
/// when a worker thread exports a stage while the pipeline goes on.
struct SnapshotTableWriter {
    let rows: RowReader
    let input: InputSource
    let info: IngestInfo
    let schema: SnapshotSchema
    /// The pages' codec: the writer's default (zstd 3) for `--output x.parquet`, Snappy for the
    /// snapshots (`SnapshotExporter.compression`).
    var compression = ParquetWriterOptions().compression
    /// Rows per row group at most (the snapshots': `SnapshotExporter.rowGroupRows`).
    var rowGroupRows = Int.max

    /// The file's columns, in order: ours, then `input`'s (`InputColumns.parquetColumns`).
    static func columns(input: [ParquetColumn], rowNumber: Bool, chunks: Bool) -> [ParquetColumn] {
        var reserved: [ParquetColumn] = []
        if rowNumber { reserved.append(ParquetColumn(name: "_row", type: .int64, optional: false)) }
        if chunks {
            reserved.append(ParquetColumn(name: "_parent_row", type: .int64, optional: true))
            reserved.append(ParquetColumn(name: "_chunk_index", type: .int64, optional: true))
        }
        // By bytes: input keys that differ only in Unicode normalization are distinct columns already.
        var taken = Set(reserved.map { UTF8Key($0.name) })
        let inputColumns = input.map { column -> ParquetColumn in
            // An input field that is named like one of ours keeps its data under a suffixed name.
            var renamed = column
            while !taken.insert(UTF8Key(renamed.name)).inserted { renamed.name += "_" }
            return renamed
        }
        return reserved + inputColumns
    }

    static func parquetType(_ type: SnapshotColumnType) -> ParquetType {
        switch type {
        case .bool: return .boolean
        case .int64: return .int64
        case .double: return .double
        case .string: return .string
        }
    }

    /// Writes `path` (atomically: temporary file renamed by the writer) and returns the row count.
    /// `expectedRows`: the row count the checkpoint recorded; any other count is StoreDamage, thrown
    /// before the file is moved into place.
    func write(stage: StageID, to path: String, rowNumber: Bool, progress: ProgressReporter, label: String,
               expectedRows: Int? = nil) throws -> Int {
        try write([(stage, path)], rowNumber: rowNumber, progress: progress, label: label,
                  expectedRows: expectedRows.map { [$0] })[0].rows
    }

    /// Writes the snapshot of each stage of `files` in one pass over the rows: every row is read from
    /// the store and its record fetched and decoded once, then appended to the file of each stage it
    /// is alive after. Each file is the same, byte for byte, as when written alone (its writer gets the
    /// same values in the same order); measured on 1M rows, writing two snapshots in one pass saved
    /// a third of the second one's CPU time. Returns the row count of each file, of those the rows
    /// kept from the earlier file (`continuing`), and its length and XXH3 as written (no read-back).
    /// Pages are compressed on a second thread: compression is a large part of a file's CPU time (with
    /// zstd 3, about 40%), and the last snapshot of a run is written while the pipeline has nothing
    /// else to do. `cancelled` is polled
    /// every 10,000 rows with the interrupt flag.
    /// `expectedRows`, when given, holds each file's recorded row count (see above).
    /// `continuing`: per stage, the earlier file whose rows are its first ones (an append's,
    /// `SnapshotExporter`) and the XXH3 recorded for it; the writer keeps what it can of it and those
    /// rows are not encoded again, nor read from the store when the earlier file says where they end
    /// (`Target.keptBelow`). The earlier file is checked while its kept part is copied: the hash of
    /// the bytes copied, continued over its remaining bytes (its last row group and footer, which the
    /// copy does not read) on a copy of the state, must be the recorded one, else the file is written
    /// whole.
    func write(_ files: [(stage: StageID, path: String)], rowNumber: Bool, progress: ProgressReporter, label: String,
               expectedRows: [Int]? = nil, continuing: [StageID: (prefix: ParquetFilePrefix, xxh3: String)] = [:],
               cancelled: () -> Bool = { false }) throws -> [(rows: Int, kept: Int, file: XXH3FileObserver)] {
        let hasChunks = try rows.hasChunks()
        let inputColumns = try InputColumns(schema: schema, input: input, info: info)
        var targets: [Target] = []
        defer { for target in targets where !target.closed { target.writer.abandon() } }
        for (stage, path) in files {
            let chunks = rows.stages.mayHaveAddedRows(through: stage) && hasChunks
            let columns = Self.columns(input: inputColumns.parquetColumns, rowNumber: rowNumber, chunks: chunks)
            let firstInputColumn = (rowNumber ? 1 : 0) + (chunks ? 2 : 0)
            do {
                var options = ParquetWriterOptions(compression: compression, createdBy: "entropyguard \(EntropyGuardVersion.string)",
                                                   compressInBackground: true,
                                                   keyValueMetadata: inputColumns.keyValueMetadata(columns: columns, firstInputColumn: firstInputColumn))
                options.rowGroupRowLimit = rowGroupRows
                var hash = XXH3FileObserver()
                var writer = try ParquetWriter(path: path, columns: columns, options: options, continuing: continuing[stage]?.prefix, observer: hash)
                if let old = continuing[stage], writer.continuedRows > 0,
                   !hash.matches(old.xxh3, continuingWith: old.prefix.descriptor, from: old.prefix.byteCount) {
                    writer.abandon()
                    hash = XXH3FileObserver()
                    writer = try ParquetWriter(path: path, columns: columns, options: options, observer: hash)
                }
                var target = Target(generation: stage.generation, originalText: !rows.stages.mayHaveRewrittenTexts(through: stage),
                                    chunks: chunks, writer: writer, hash: hash, firstInputColumn: firstInputColumn,
                                    written: writer.continuedRows, skip: writer.continuedRows)
                if writer.continuedRows > 0, rowNumber, !chunks, let first = continuing[stage]?.prefix.firstColumnMinimumOfLastGroup {
                    // The earlier file's `_row` (column 0) of the first row it did not keep: without chunks
                    // (an append's files have none) `_row` increases through the file. Only once the file
                    // checked out above (its rows are the store's rows alive after the stage, in order).
                    target.keptBelow = first
                    target.skip = 0
                }
                targets.append(target)
            } catch let error as ParquetError {
                throw EntropyGuardError(error, writing: path)
            }
        }
        // JSONL and Parquet: the original texts are the records' text fields (what ingest stored);
        // only the texts a stage changed are read from the store.
        let textsFromRecords = info.format.recordsAreJSON
        var inputRows = try InputRows(columns: inputColumns, input: input, info: info)
        var done = 0
        // The rows kept from the earlier files are not read at all when every file knows where they end:
        // measured on a 10k-row append to 990k rows, walking the old rows to skip them was 0.25 s of the
        // append's 2.0 CPU-s. A file that needs every row (no earlier file) starts the scan at row 0.
        let fromRow = targets.map { $0.keptBelow ?? 0 }.min() ?? 0
        progress.begin(stage: label, total: nil)
        defer { progress.end() }
        do {
            try rows.forEachStageRow(files.map(\.stage), originalTexts: !textsFromRecords, fromRow: fromRow) { stored in
                let born = stored.born
                let droppedBy = stored.droppedBy
                // A row a file kept from its earlier self (`continuing`) is skipped for it; a row no
                // file needs is not decoded at all.
                var needed = false
                for index in targets.indices where born <= targets[index].generation && droppedBy > targets[index].generation {
                    if targets[index].keeps(position: stored.parentRow ?? stored.rowID) {
                        targets[index].lastSkipped = stored.rowID
                    } else {
                        needed = true
                    }
                }
                guard needed else { return }
                // Values go straight from the input window and SQLite's row into the writers: no copies.
                try inputRows.withRow(offset: stored.offset, length: stored.length) { row, recordText in
                    let original = textsFromRecords ? recordText : stored.originalText
                    let current = stored.changedText ?? original
                    for index in targets.indices where born <= targets[index].generation && droppedBy > targets[index].generation
                                                      && !targets[index].skipped(stored.rowID) {
                        let writer = targets[index].writer
                        var column = 0
                        if rowNumber {
                            try writer.appendInt64(stored.rowID, column: 0)
                            column = 1
                        }
                        if targets[index].chunks {
                            if let parent = stored.parentRow { try writer.appendInt64(parent, column: column) } else { try writer.appendNull(column: column) }
                            if let chunk = stored.chunkIndex { try writer.appendInt64(chunk, column: column + 1) } else { try writer.appendNull(column: column + 1) }
                        }
                        let text = targets[index].originalText ? original : current
                        try row.append(to: writer, firstColumn: targets[index].firstInputColumn, text: text)
                        try writer.endRow()
                        targets[index].written += 1
                    }
                }
                done += 1
                if done % 10_000 == 0 {
                    try Interrupt.check()
                    if cancelled() { throw SnapshotTableWriter.Cancelled() }
                    progress.update(done: done)
                }
            }
            if let expectedRows {
                for (target, expected) in zip(targets, expectedRows) where target.written != expected {
                    throw StoreDamage.rowCount(target.written, expected: expected, in: label)
                }
            }
            for index in targets.indices {
                try targets[index].writer.close()
                targets[index].closed = true
            }
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: files.map(\.path).joined(separator: ", "))
        }
        return targets.map { ($0.written, $0.writer.continuedRows, $0.hash) }
    }

    /// One file being written.
    private struct Target {
        let generation: Int
        /// Before sanitize nothing has rewritten texts yet; a later export must not show sanitized ones.
        let originalText: Bool
        let chunks: Bool
        let writer: ParquetWriter
        /// The file's bytes as written.
        let hash: XXH3FileObserver
        let firstInputColumn: Int
        var written = 0
        /// Rows of the file still to skip (kept from its earlier self), counted from the scan's first row.
        var skip = 0
        /// Instead of `skip`: the rows before this position (row id, or a chunk's parent's) were kept from
        /// the earlier file, read from its last row group's `_row` statistics
        /// (`ParquetFilePrefix.firstColumnMinimumOfLastGroup`). Set once the file's hash was checked
        /// against the one the store recorded for it (while copied), so its rows are the store's rows
        /// alive after the stage, in order.
        var keptBelow: Int64?
        /// The last row skipped (the row being read, when it was).
        var lastSkipped: Int64 = -1
        var closed = false

        func skipped(_ row: Int64) -> Bool { row == lastSkipped }

        /// Whether the row at `position` was kept from the earlier file (counted off `skip`).
        mutating func keeps(position: Int64) -> Bool {
            if let keptBelow { return position < keptBelow }
            guard skip > 0 else { return false }
            skip -= 1
            return true
        }
    }

    /// Thrown when `cancelled` said to stop (the run failed elsewhere; nothing to report).
    struct Cancelled: Error {}
}
