/// The store's side of an append (`InputAppend`): the marker that an append is in progress (meta
/// `append.*`), and the counts a stage of it reports.
extension WorkingStore {
    /// An append in progress: the first new row, and the chained config hash of the last stage the old
    /// rows' decisions were made with.
    struct AppendInProgress: Equatable {
        var firstRow: Int64
        var configHash: String
    }

    /// The input length the store of `directory` recorded (meta `ingest.input_length`), read on a
    /// read-only connection before the store is opened and checked, so that the input is hashed with
    /// this prefix in the same read (`InputSource.prefixHash`). Only a hint: nil when there is no
    /// store or it cannot be read; `InputAppend.detect` trusts the checked store, and hashes the prefix
    /// itself when this length was not the recorded one.
    static func recordedInputLength(in directory: String) -> Int64? {
        guard exists(in: directory), StoreFileHeader.problem(databasePath: path(in: directory)) == nil,
              let database = try? Database(path: path(in: directory), readOnly: true) else { return nil }
        return (try? database.scalar("SELECT value FROM meta WHERE key = 'ingest.input_length'"))??.string.flatMap(Int64.init)
    }

    func appendInProgress() throws -> AppendInProgress? {
        guard let first = try meta(InputAppend.metaPrefix + "first_row").flatMap(Int64.init),
              let hash = try meta(InputAppend.metaPrefix + "config_hash") else { return nil }
        return AppendInProgress(firstRow: first, configHash: hash)
    }

    /// Starts an append, in one transaction: the store now holds (the start of) the grown input, whose
    /// rows from `append.firstRow` on are read and processed by this run and the runs that resume it.
    /// The checkpoints of the old input go: each stage writes its own for the grown input when it has
    /// processed the new rows (their row counts and drops are those of the whole grown input).
    /// Their snapshots' hashes stay, as `append.snapshot.<stage>`, for the snapshots of the grown
    /// input to start from the old files (`SnapshotExporter`).
    func beginAppend(_ append: AppendInProgress, inputHash: String, inputLength: Int64) throws {
        try transaction {
            for checkpoint in try checkpoints() {
                if let hash = checkpoint.snapshotXXH3 { try setMeta(Self.appendSnapshotKey(checkpoint.stage), hash) }
            }
            if let old = try meta("ingest.input_hash") { try setMeta(Self.appendOldInputKey, old) }
            try setMeta("ingest.input_hash", inputHash)
            try setMeta("ingest.input_length", String(inputLength))
            try setMeta(InputAppend.metaPrefix + "first_row", String(append.firstRow))
            try setMeta(InputAppend.metaPrefix + "config_hash", append.configHash)
            try database.run("DELETE FROM checkpoints")
            try database.run("DELETE FROM checkpoint_settings")
            try clearStageInProgress()
        }
    }

    private static let appendOldInputKey = InputAppend.metaPrefix + "old_input_hash"

    /// The XXH3-128 of the old input (the first rows, `firstRow` of them), while an append is in
    /// progress: what the old input's products were made from (`SnapshotSchema.start`).
    func appendOldInputHash() throws -> String? { try meta(Self.appendOldInputKey) }

    private static func appendSnapshotKey(_ stage: StageID) -> String { InputAppend.metaPrefix + "snapshot." + stage.checkpointName }

    /// The XXH3-64 of the old input's snapshot of each stage, while an append is in progress.
    func appendSnapshotHashes() throws -> [StageID: String] {
        var hashes: [StageID: String] = [:]
        for stage in stages.ids {
            if let hash = try meta(Self.appendSnapshotKey(stage)) { hashes[stage] = hash }
        }
        return hashes
    }

    /// Ends an append before `stage`, which cannot decide the new rows alone: every row (old ones too)
    /// goes back to the generation before it, in the same transaction, so it and the stages after run
    /// over all rows as in a full run.
    func endAppend(redoingFrom stage: StageID) throws {
        try transaction {
            try rewindRows(to: stage.generation - 1, fromRow: 0)
            try removeMeta(prefix: InputAppend.metaPrefix)
        }
    }

    /// Rows alive after `stage` from the counts `StoreConsistency` checks (rows born by it less the
    /// rows dropped by it or earlier), whatever generation the old rows of an append are at.
    func aliveCountFromDrops(after stage: StageID) throws -> Int {
        let g = SQLValue.integer(Int64(stage.generation))
        let born = stages.mayHaveAddedRows(through: stage)
            ? "(SELECT count(*) FROM rows)"
            : "(SELECT count(*) FROM rows) - (SELECT count(*) FROM rows INDEXED BY rows_chunks WHERE parent_row IS NOT NULL)"
        return try database.scalar("""
            SELECT \(born) - (SELECT count(*) FROM rows INDEXED BY rows_dropped WHERE dropped_by IS NOT NULL AND dropped_by <= ?1)
            """, [g])?.int ?? 0
    }

    /// The counts of an append's stage among its new rows (from `fromRow` on: the new input rows, and
    /// the chunks, numbered after them): drops by the stage per reason, and rows alive after it by the
    /// rule of `aliveCountFromDrops`. Added to the old input's checkpoint of the stage they are the
    /// store's counts (the old rows keep their decisions, InputAppend), found in the new rows' range of
    /// the table instead of walking all of `rows` and the stage's part of `rows_dropped` (~55 ms of a
    /// 10k-row append to 1M rows for the two, perf).
    func appendedCounts(after stage: StageID, fromRow: Int64) throws -> (dropped: [String: Int], alive: Int) {
        let g = SQLValue.integer(Int64(stage.generation))
        var dropped: [String: Int] = [:]
        // NOT INDEXED: the row-id range, not rows_dropped's entries of the stage (old rows' too).
        for row in try database.rows("""
            SELECT drop_reason, count(*) FROM rows NOT INDEXED WHERE row_id >= ?2 AND dropped_by = ?1 GROUP BY drop_reason
            """, [g, .integer(fromRow)]) {
            dropped[row[0].string ?? "unknown"] = row[1].int ?? 0
        }
        let born = stages.mayHaveAddedRows(through: stage) ? "" : "AND parent_row IS NULL"
        let alive = try database.scalar("""
            SELECT count(*) FROM rows NOT INDEXED WHERE row_id >= ?2 \(born) AND (dropped_by IS NULL OR dropped_by > ?1)
            """, [g, .integer(fromRow)])?.int ?? 0
        return (dropped, alive)
    }

    /// Rows with a text alive before `stage` (those it or a later stage dropped too): what it read when
    /// it ran over the whole input.
    func textRowCount(aliveBefore stage: StageID) throws -> Int {
        try database.scalar("""
            SELECT count(*) FROM rows WHERE (dropped_by IS NULL OR dropped_by >= ?1) AND text_state = 'ok' AND born < ?1
            """, [.integer(Int64(stage.generation))])?.int ?? 0
    }
}
