/// Quality gates, run before dedup so a row that wins a dedup group is never removed afterwards:
/// null/missing/non-string text (empty_or_null), empty after sanitize (empty_after_strip), fewer than
/// `minLength` code points (below_min_length). A null in any other field never drops a row.
/// One UPDATE on the narrow rows table.
struct ValidateStage: PipelineStage {
    let id = StageID.validate
    let minLength: Int

    var settings: String { "min_length=\(minLength)" }

    func run(_ context: StageContext) throws -> StageReport {
        try Interrupt.check()
        // text_length is the trimmed text's code points, kept current by the stages that change text.
        try context.store.database.run("""
            UPDATE rows SET dropped_by = ?1, generation = ?3,
                drop_reason = CASE WHEN text_state <> 'ok' THEN 'empty_or_null'
                                   WHEN text_length = 0 THEN 'empty_after_strip'
                                   ELSE 'below_min_length' END,
                drop_details = CASE text_state WHEN 'missing' THEN 'text field missing'
                                               WHEN 'null' THEN 'text is null'
                                               WHEN 'not_string' THEN 'text is not a string'
                                               ELSE CASE WHEN text_length > 0 THEN text_length || ' < ' || ?2 || ' characters' END END
            WHERE dropped_by IS NULL
              AND (text_state <> 'ok' OR text_length = 0 OR text_length < ?2)
            """, [.integer(Int64(id.generation)), .integer(Int64(minLength)), .integer(Int64(id.generation - 1))])
        return StageReport()
    }
}

/// A stage that is switched off: every row passes through unchanged. It still gets its generation
/// and checkpoint, so views and resume work the same whatever is enabled.
struct PassThroughStage: PipelineStage {
    let id: StageID
    var settings: String { "off" }
    var isEnabled: Bool { false }

    func run(_ context: StageContext) throws -> StageReport { StageReport() }
}
