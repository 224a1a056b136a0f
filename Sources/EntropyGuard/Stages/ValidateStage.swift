/// Quality gates, run before dedup so a row that wins a dedup group is never removed afterwards:
/// null/missing/non-string text (empty_or_null), empty after sanitize (empty_after_strip), fewer than
/// `minLength` code points (below_min_length). A null in any other field never drops a row.
/// Done in SQL: SQLite's length() counts code points of TEXT, and the work stays inside the store.
struct ValidateStage: PipelineStage {
    let id = StageID.validate
    let minLength: Int

    var settings: String { "min_length=\(minLength)" }

    /// Whitespace that trimming removes: ASCII whitespace, NBSP and the other Unicode spaces.
    static let whitespace = "char(9,10,11,12,13,32,133,160,5760,8192,8193,8194,8195,8196,8197,8198,8199,8200,8201,8202,8232,8233,8239,8287,12288,65279)"

    func run(_ context: StageContext) throws -> StageReport {
        let database = context.store.database
        try Interrupt.check()
        try database.run("""
            UPDATE rows SET dropped_by = ?1, drop_reason = v.reason, drop_details = v.details
            FROM (
                SELECT r.row_id,
                       CASE WHEN r.text_state <> 'ok' THEN 'empty_or_null'
                            WHEN trim(t.text, \(Self.whitespace)) = '' THEN 'empty_after_strip'
                            WHEN length(t.text) < ?2 THEN 'below_min_length' END AS reason,
                       CASE WHEN r.text_state = 'missing' THEN 'text field missing'
                            WHEN r.text_state = 'null' THEN 'text is null'
                            WHEN r.text_state = 'not_string' THEN 'text is not a string'
                            WHEN trim(t.text, \(Self.whitespace)) = '' THEN NULL
                            WHEN length(t.text) < ?2 THEN length(t.text) || ' < ' || ?2 || ' code points' END AS details
                FROM rows r JOIN (SELECT row_id, coalesce(text, text_original) AS text FROM row_content) t USING (row_id)
                WHERE r.generation = ?3
            ) AS v
            WHERE rows.row_id = v.row_id AND v.reason IS NOT NULL
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
