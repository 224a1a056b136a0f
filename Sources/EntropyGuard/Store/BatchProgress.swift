/// How far a stage that works through the rows in row-id order (sanitize, chunk) got: every row it
/// reads below `nextRow` is done. Meta `<stage>.next_row` and `<stage>.config_hash`, written in the
/// transaction that commits each batch's rows (as ingest commits its reader position with its rows),
/// so after a crash or SIGKILL the stage continues after its last committed batch. The stage's chained
/// config hash is kept with it: another setting (of this stage or an earlier one) never reuses the
/// batches. The marker goes when the stage's checkpoint is committed or the store is rewound below it.
public struct BatchProgress: Equatable, Sendable {
    public var configHash: String
    public var nextRow: Int64
}

extension WorkingStore {
    /// The committed progress of `stage`'s unfinished run, if any.
    public func batchProgress(of stage: StageID) throws -> BatchProgress? {
        guard let hash = try meta("\(stage.name).config_hash"), let next = try meta("\(stage.name).next_row").flatMap(Int64.init)
        else { return nil }
        return BatchProgress(configHash: hash, nextRow: next)
    }

    /// Records `progress` for `stage`: call inside the transaction that writes the batch.
    func setBatchProgress(_ progress: BatchProgress, of stage: StageID) throws {
        try setMeta("\(stage.name).config_hash", progress.configHash)
        try setMeta("\(stage.name).next_row", String(progress.nextRow))
    }

    /// Forgets every stage's batch progress (ingest keeps its reader position): part of clearing the
    /// stage in progress, when its checkpoint is committed or the store is rewound.
    func clearBatchProgress() throws {
        let keys = stages.ids.dropFirst().flatMap { ["\($0.name).config_hash", "\($0.name).next_row"] }
        try database.run("DELETE FROM meta WHERE key IN (\(keys.map { _ in "?" }.joined(separator: ", ")))", keys.map { .text($0) })
    }

    /// Rows `stage` reads (text present, created at `bornAtMost` or earlier, alive when it started):
    /// how many of them lie below `nextRow` (done by the interrupted run) and how many in all.
    func batchRows(of stage: StageID, bornAtMost: Int, below nextRow: Int64) throws -> (done: Int, total: Int) {
        let row = try database.rows("""
            SELECT count(*) FILTER (WHERE row_id < ?3), count(*) FROM rows
            WHERE text_state = 'ok' AND born <= ?1 AND (dropped_by IS NULL OR dropped_by >= ?2)
            """, [.integer(Int64(bornAtMost)), .integer(Int64(stage.generation)), .integer(nextRow)]).first
        return (row?[0].int ?? 0, row?[1].int ?? 0)
    }
}
