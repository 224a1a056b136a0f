/// `--output FILE.parquet`: the surviving rows as Parquet, with the snapshots' columns except `_row`
/// (`_parent_row` and `_chunk_index` when chunking made chunks, then the input's columns, typed by
/// `SnapshotSchema`, the text column holding the final text).
struct ParquetRecordOutput {
    let store: WorkingStore
    let input: InputSource
    let info: IngestInfo
    let path: String
    /// `--annotate`: every record, with the annotation's flattened columns (`AnnotatedParquetOutput`).
    var annotateField: String? = nil
    /// An append's first new row and the last stage's config hash (see `RecordOutput`): the previous
    /// file's row groups but its last are kept when it checks out (`OutputPrefix`, `ParquetFilePrefix`).
    var appendFrom: Int64? = nil
    var configHash: String? = nil

    /// Rows per row group at most: an append encodes the previous file's last group again, as for
    /// the snapshots (`SnapshotExporter.rowGroupRows`, the same bound).
    static let rowGroupRows = SnapshotExporter.rowGroupRows

    /// Writes rows alive after `stage` in input order; returns the number written (counted, not
    /// written, on a dry run) and of those kept from the previous file. Another count than
    /// `expectedRows` is StoreDamage (see RecordOutput).
    func write(after stage: StageID, progress: ProgressReporter, dryRun: Bool, expectedRows: Int?) throws -> (written: Int, copied: Int) {
        if let annotateField {
            return (try AnnotatedParquetOutput(store: store, input: input, info: info, path: path, field: annotateField)
                .write(progress: progress, dryRun: dryRun, expectedKept: expectedRows), 0)
        }
        if dryRun {
            let count = try store.aliveCount(after: stage)
            if let expectedRows, count != expectedRows { throw StoreDamage.rowCount(count, expected: expectedRows, in: "the output") }
            return (count, 0)
        }
        let schema = try SnapshotSchema.of(store: store, input: input, info: info)
        let settings = try configHash.map { "\($0) parquet chunked=\(try store.hasChunks())" }
        let previous = try settings.flatMap { try OutputPrefix.open(path: path, role: RecordOutput.role, settings: $0, store: store, appendFrom: appendFrom) }
        let continuing = previous?.parquet()
        let (written, copied, file) = try SnapshotTableWriter(rows: store.rowReader, input: input, info: info, schema: schema, rowGroupRows: Self.rowGroupRows)
            .write([(stage, path)], rowNumber: false, progress: progress, label: "the output", expectedRows: expectedRows.map { [$0] },
                   continuing: continuing.map { [stage: $0] } ?? [:])[0]
        try OutputPrefix.record(file, role: RecordOutput.role, settings: settings,
                                entries: written, kept: written, store: store)
        return (written, copied)
    }
}
