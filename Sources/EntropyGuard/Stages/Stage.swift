/// One step of the pipeline. A stage reads the rows alive after the previous generation, drops some
/// (recording stage, reason and duplicate_of in the store), may rewrite texts or add rows, and finally
/// moves its survivors to its own generation. Stages after ingest are redone from the store, never
/// from the input.
protocol PipelineStage {
    var id: StageID { get }
    /// Canonical text of the settings that change this stage's result: part of the chained config hash.
    var settings: String { get }
    /// Disabled stages pass every row through unchanged (and keep their view and checkpoint).
    var isEnabled: Bool { get }
    /// Expensive stages commit their checkpoint (and move survivors to their generation) as soon as
    /// they finish. Cheap ones are committed together with the next such commit, in the same
    /// transaction, which saves a full-table UPDATE per stage; a crash in between only redoes them.
    var checkpointsImmediately: Bool { get }
    /// Commits its progress with each batch (BatchProgress) and, after a crash, continues after the
    /// last committed batch instead of being rewound. Such a stage checkpoints immediately, so no
    /// later stage has written anything while its batches are partial.
    var resumesPerBatch: Bool { get }
    func run(_ context: StageContext) throws -> StageReport
}

extension PipelineStage {
    var isEnabled: Bool { true }
    var checkpointsImmediately: Bool { false }
    var resumesPerBatch: Bool { false }
}

/// What a stage gets to work with.
struct StageContext {
    let store: WorkingStore
    let options: PipelineOptions
    let progress: ProgressReporter
    let input: InputSource
    let ingestInfo: IngestInfo
    /// Each stage's chained config hash.
    let configHashes: [StageID: String]
}

/// What a stage did, beyond what the store already tells (drops per reason come from the store).
struct StageReport {
    var notes: [String: Int] = [:]
}

extension WorkingStore {
    /// Moves every alive row to `stage`'s generation: they survived it and every stage before it.
    /// Runs in the transaction that commits the stage's checkpoint.
    func advanceSurvivors(to stage: StageID) throws {
        try database.run("UPDATE rows SET generation = ?1 WHERE dropped_by IS NULL AND generation < ?1",
                         [.integer(Int64(stage.generation))])
    }

    /// Rows not dropped so far: the input of the next stage.
    func aliveCount() throws -> Int {
        // All rows minus the dropped ones: both counts come from small structures (the table's b-tree
        // pages without decoding records, and the partial index rows_dropped).
        try database.scalar("SELECT (SELECT count(*) FROM rows) - (SELECT count(*) FROM rows WHERE dropped_by IS NOT NULL)")?.int ?? 0
    }

    /// Marks one row dropped by `stage`; its generation is the stage before (the last one it survived).
    func drop(row: Int64, by stage: StageID, reason: String, details: String? = nil,
              duplicateOf: Int64? = nil, similarity: Double? = nil) throws {
        let statement = try database.cachedStatement("""
            UPDATE rows SET dropped_by = ?, drop_reason = ?, drop_details = ?, duplicate_of = ?, similarity = ?,
                            generation = ?
            WHERE row_id = ?
            """)
        try statement.bind(Int64(stage.generation), at: 1)
        try statement.bind(reason, at: 2)
        if let details { try statement.bind(details, at: 3) }
        if let duplicateOf { try statement.bind(duplicateOf, at: 4) }
        if let similarity { try statement.bind(similarity, at: 5) }
        try statement.bind(stage.generation - 1, at: 6)
        try statement.bind(row, at: 7)
        try statement.runToCompletion()
    }

    /// Marks `pairs` (row, the row it duplicates) dropped by `stage` with `reason`, 64 rows per UPDATE
    /// statement (one statement per row cost a third of the exact-dedup stage).
    func dropDuplicates(_ pairs: ArraySlice<CandidatePair>, by stage: StageID, reason: String) throws {
        let chunk = 64
        func sql(_ count: Int) -> String {
            let values = (0..<count).map { "(?\($0 * 2 + 4), ?\($0 * 2 + 5))" }.joined(separator: ", ")
            return """
                UPDATE rows SET dropped_by = ?1, drop_reason = ?2, drop_details = NULL, similarity = NULL, generation = ?3,
                                duplicate_of = d.column2
                FROM (VALUES \(values)) AS d WHERE rows.row_id = d.column1
                """
        }
        var start = pairs.startIndex
        while start < pairs.endIndex {
            let count = min(chunk, pairs.endIndex - start)
            let statement = try database.cachedStatement(sql(count == chunk ? chunk : count))
            try statement.bind(Int64(stage.generation), at: 1)
            try statement.bind(reason, at: 2)
            try statement.bind(stage.generation - 1, at: 3)
            for (i, pair) in pairs[start..<(start + count)].enumerated() {
                try statement.bind(pair.row, at: Int32(i * 2 + 4))
                try statement.bind(pair.first, at: Int32(i * 2 + 5))
            }
            try statement.runToCompletion()
            start += count
        }
    }

    /// Drops per reason for one stage, from the store.
    func dropCounts(stage: StageID) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try database.rows("SELECT drop_reason, count(*) FROM rows WHERE dropped_by = ? GROUP BY drop_reason",
                                     [.integer(Int64(stage.generation))]) {
            counts[row[0].string ?? "unknown"] = row[1].int ?? 0
        }
        return counts
    }
}
