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

    /// Writes rows alive after `stage` in input order; returns the number written (counted, not
    /// written, on a dry run). Another count than `expectedRows` is StoreDamage (see RecordOutput).
    func write(after stage: StageID, progress: ProgressReporter, dryRun: Bool, expectedRows: Int?) throws -> Int {
        if let annotateField {
            return try AnnotatedParquetOutput(store: store, input: input, info: info, path: path, field: annotateField)
                .write(progress: progress, dryRun: dryRun, expectedKept: expectedRows)
        }
        if dryRun {
            let count = try store.aliveCount(after: stage)
            if let expectedRows, count != expectedRows { throw StoreDamage.rowCount(count, expected: expectedRows, in: "the output") }
            return count
        }
        let schema = try SnapshotSchema.of(store: store, input: input, info: info)
        return try SnapshotTableWriter(rows: store.rowReader, input: input, info: info, schema: schema)
            .write(stage: stage, to: path, rowNumber: false, progress: progress, label: "the output", expectedRows: expectedRows)
    }
}
