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
    func run(_ context: StageContext) throws -> StageReport
}

extension PipelineStage {
    var isEnabled: Bool { true }
}

/// What a stage gets to work with.
struct StageContext {
    let store: WorkingStore
    let options: PipelineOptions
    let progress: ProgressReporter
    let input: InputSource
    let ingestInfo: IngestInfo
}

/// What a stage did, beyond what the store already tells (drops per reason come from the store).
struct StageReport {
    var notes: [String: Int] = [:]
}

extension WorkingStore {
    /// Moves every row alive after `stage`'s predecessor and not dropped by `stage` to `stage`'s
    /// generation. Called in the stage's final transaction, together with its checkpoint.
    func advanceSurvivors(to stage: StageID) throws {
        try database.run("UPDATE rows SET generation = ? WHERE generation = ? AND dropped_by IS NULL",
                         [.integer(Int64(stage.generation)), .integer(Int64(stage.generation - 1))])
    }

    /// Marks one row dropped by `stage`.
    func drop(row: Int64, by stage: StageID, reason: String, details: String? = nil,
              duplicateOf: Int64? = nil, similarity: Double? = nil) throws {
        let statement = try database.cachedStatement("""
            UPDATE rows SET dropped_by = ?, drop_reason = ?, drop_details = ?, duplicate_of = ?, similarity = ?
            WHERE row_id = ?
            """)
        try statement.bind(Int64(stage.generation), at: 1)
        try statement.bind(reason, at: 2)
        if let details { try statement.bind(details, at: 3) }
        if let duplicateOf { try statement.bind(duplicateOf, at: 4) }
        if let similarity { try statement.bind(similarity, at: 5) }
        try statement.bind(row, at: 6)
        try statement.runToCompletion()
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
