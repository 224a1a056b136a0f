/// The store's operations for the outputs: the records to write, the snapshots' rows, the audit log.
/// Each calls its body once per row with a view of the statement's current row (valid during the call).
extension WorkingStore {
    /// True when a stage changed a text (only then do the outputs read row_content).
    func hasChangedTexts() throws -> Bool {
        try database.scalar("SELECT EXISTS (SELECT 1 FROM row_content INDEXED BY row_content_changed WHERE text IS NOT NULL)")?.int == 1
    }

    /// A row to write: where its record is in the input, its new text if a stage changed it, its chunk.
    struct OutputRow {
        fileprivate let statement: Statement
        fileprivate let chunked: Bool
        var offset: Int64 { statement.int64(1) }
        var length: Int { statement.int(2) }
        var hasNewText: Bool { !statement.isNull(3) }
        var newText: String? { statement.string(3) }
        /// Chunk rows: the row they were cut from and their position in it.
        var chunk: (parent: Int64, index: Int)? { !chunked || statement.isNull(4) ? nil : (statement.int64(4), statement.int(5)) }
    }

    /// The rows alive after `stage`, in input order.
    func forEachOutputRow(after stage: StageID, _ body: (OutputRow) throws -> Void) throws {
        // When no stage changed a text, every record goes out as it came in: row_content is not read.
        // Chunk columns only when there are chunks: SQLite decodes a record's header up to the last
        // column asked for, and these two are at the end of the row.
        let textsChanged = try hasChangedTexts()
        let chunked = try hasChunks()
        let select = try database.cachedStatement("""
            SELECT r.row_id, r.record_offset, r.record_length, \(textsChanged ? "c.text" : "NULL")\(chunked ? ", r.parent_row, r.chunk_index" : "")
            FROM rows r \(textsChanged ? "JOIN row_content c USING (row_id)" : "")
            WHERE r.generation >= ? ORDER BY \(try rowOrder(alias: "r"))
            """)
        defer { select.reset() }
        try select.bind(stage.generation, at: 1)
        let row = OutputRow(statement: select, chunked: chunked)
        while try select.step() { try body(row) }
    }

    /// (offset, length) of the records of the rows alive after `stage`, in row-id order.
    func forEachRecord(after stage: StageID, _ body: (_ offset: Int64, _ length: Int) throws -> Void) throws {
        let select = try database.cachedStatement("""
            SELECT record_offset, record_length FROM rows WHERE generation >= ? ORDER BY row_id
            """)
        defer { select.reset() }
        try select.bind(stage.generation, at: 1)
        while try select.step() { try body(select.int64(0), select.int(1)) }
    }

    /// (offset, length) of every record the input stage read, bad records excluded (they have no
    /// fields), in input order.
    func forEachReadRecord(_ body: (_ offset: Int64, _ length: Int) throws -> Void) throws {
        let select = try database.cachedStatement("""
            SELECT record_offset, record_length FROM rows WHERE born = ? AND text_state <> 'bad_record' ORDER BY row_id
            """)
        defer { select.reset() }
        try select.bind(stages.source.generation, at: 1)
        while try select.step() { try body(select.int64(0), select.int(1)) }
    }

    /// A row of a stage's snapshot.
    struct SnapshotRow {
        fileprivate let statement: Statement
        var rowID: Int64 { statement.int64(0) }
        var offset: Int64 { statement.int64(1) }
        var length: Int { statement.int(2) }
        /// The text as the stage left it (UTF-8), nil when the row has none.
        var text: [UInt8]? { statement.isNull(3) ? nil : statement.bytes(3) }
        var parentRow: Int64? { statement.isNull(4) ? nil : statement.int64(4) }
        var chunkIndex: Int64? { statement.isNull(5) ? nil : statement.int64(5) }
    }

    /// The rows alive after `stage`, in input order, with their texts as that stage left them.
    ///
    /// They are selected as `born <= S AND (dropped_by IS NULL OR dropped_by > S)`, which does not
    /// depend on `generation`: it is right even while cheap stages' checkpoints are still pending
    /// (their survivors' generation is moved forward later, in one UPDATE), and once they are
    /// committed it equals the view after_<S>: `generation >= S AND born <= S`.
    func forEachSnapshotRow(of stage: StageID, _ body: (SnapshotRow) throws -> Void) throws {
        // Before the stage that rewrites texts, a later re-export must not show rewritten ones.
        let text = stages.mayHaveRewrittenTexts(through: stage) ? "coalesce(c.text, c.text_original)" : "c.text_original"
        let select = try database.cachedStatement("""
            SELECT r.row_id, r.record_offset, r.record_length, \(text), r.parent_row, r.chunk_index
            FROM rows r JOIN row_content c USING (row_id)
            WHERE r.born <= ?1 AND (r.dropped_by IS NULL OR r.dropped_by > ?1)
            ORDER BY \(try rowOrder(alias: "r"))
            """)
        defer { select.reset() }
        try select.bind(stage.generation, at: 1)
        let row = SnapshotRow(statement: select)
        while try select.step() { try body(row) }
    }

    /// Whether the rows after `stage` can include chunks: a stage up to it adds rows, and did.
    func mayHaveChunks(after stage: StageID) throws -> Bool {
        try stages.mayHaveAddedRows(through: stage) && hasChunks()
    }

    /// A dropped row, from the view `dropped`: the audit log's entry.
    struct DroppedRow {
        fileprivate let statement: Statement
        var rowID: Int64 { statement.int64(0) }
        var stage: String { statement.string(1) ?? "" }
        var reason: String { statement.string(2) ?? "" }
        var details: String? { statement.string(3) }
        var duplicateOf: Int64? { statement.isNull(4) ? nil : statement.int64(4) }
        var similarity: Double? { statement.isNull(5) ? nil : statement.double(5) }
    }

    /// Every dropped row, by row id.
    func forEachDroppedRow(_ body: (DroppedRow) throws -> Void) throws {
        let select = try database.cachedStatement("""
            SELECT row_id, stage, reason, details, duplicate_of, similarity FROM dropped ORDER BY row_id
            """)
        defer { select.reset() }
        let row = DroppedRow(statement: select)
        while try select.step() { try body(row) }
    }
}
