/// The store's row scans for the outputs that may run on any connection: the pipeline's own
/// (`WorkingStore.rowReader`) or a `SnapshotReader`'s, pinned to a committed state for a worker thread.
struct RowReader {
    let database: Database
    /// The stage list the store is made with.
    let stages: StageRegistry

    /// True once a stage added rows (chunks): row order is then (parent or own row, chunk index), not row_id.
    func hasChunks() throws -> Bool {
        try database.scalar("SELECT EXISTS (SELECT 1 FROM rows INDEXED BY rows_chunks WHERE parent_row IS NOT NULL)")?.int == 1
    }

    /// ORDER BY clause for input order (chunks right where their parent was).
    func rowOrder(alias: String = "") throws -> String { Self.rowOrder(alias: alias, chunks: try hasChunks()) }

    private static func rowOrder(alias: String, chunks: Bool) -> String {
        let p = alias.isEmpty ? "" : alias + "."
        return chunks ? "coalesce(\(p)parent_row, \(p)row_id), coalesce(\(p)chunk_index, 0)" : "\(p)row_id"
    }

    /// A row's current text in a query that joins `row_content c` and `sanitized_text t` (`joinSanitized`):
    /// the text sanitize wrote, a chunk's text, or the original.
    static let currentText = "coalesce(t.text, c.text, c.text_original)"
    /// The join that `currentText` needs, after `row_content c` (or `rows r`) joined by row_id.
    static let joinSanitized = "LEFT JOIN sanitized_text t USING (row_id)"
    /// The text a stage wrote for a row (NULL: unchanged), in such a query.
    static let changedText = "coalesce(t.text, c.text)"

    /// (row_id, text) of every row whose text a stage wrote: sanitize's (sanitized_text) and the chunks'
    /// (row_content.text, through the partial index row_content_changed; in stores made before
    /// sanitized_text, sanitize's too). A row is in one of the two at most. No ORDER BY: add one.
    static let changedTextsSQL = """
        SELECT row_id, text FROM sanitized_text
        UNION ALL SELECT row_id, text FROM row_content INDEXED BY row_content_changed WHERE text IS NOT NULL
        """

    /// The texts a stage changed, in row-id order (`changedTextsSQL`: two sorted sources merged), read beside
    /// rows scanned in row-id order: `move(to:)` each row in turn, then `isCurrent` says whether the
    /// row has a changed text, in column 1 of `statement` (valid until the next move). One pass over
    /// the changed texts instead of an index lookup (or a join with all of row_content) per row.
    struct ChangedTexts {
        let statement: Statement
        private var row: Int64
        private(set) var isCurrent = false

        fileprivate init(statement: Statement) throws {
            self.statement = statement
            row = try statement.step() ? statement.int64(0) : Int64.max
        }

        /// Moves to `rowID` (not below the previous one).
        mutating func move(to rowID: Int64) throws {
            while row < rowID { row = try statement.step() ? statement.int64(0) : Int64.max }
            isCurrent = row == rowID
        }
    }

    /// A cursor over the changed texts; reset its statement when done.
    /// From row `fromRow` on.
    func changedTexts(fromRow: Int64 = 0) throws -> ChangedTexts {
        let statement = try database.cachedStatement("""
            SELECT row_id, text FROM (\(Self.changedTextsSQL)) WHERE row_id >= ? ORDER BY row_id
            """)
        try statement.bind(fromRow, at: 1)
        return try ChangedTexts(statement: statement)
    }

    /// A row of `forEachStageRow`: a view of the statement's current row (the texts' bytes are valid
    /// until the body returns).
    struct StageRow {
        fileprivate let statement: Statement
        /// Without chunks: the changed texts, walked beside the rows (see `forEachStageRow`).
        fileprivate var changed: ChangedTexts?
        var rowID: Int64 { statement.int64(0) }
        var offset: Int64 { statement.int64(1) }
        var length: Int { statement.int(2) }
        /// The text as read (nil when NULL, or when not asked for).
        var originalText: UnsafeRawBufferPointer? { statement.isNull(3) ? nil : statement.withBytes(3) { $0 } }
        /// The text a stage rewrote it to (nil: unchanged).
        var changedText: UnsafeRawBufferPointer? {
            if let changed { return changed.isCurrent ? changed.statement.withBytes(1) { $0 } : nil }
            return statement.isNull(4) ? nil : statement.withBytes(4) { $0 }
        }
        var parentRow: Int64? { statement.isNull(5) ? nil : statement.int64(5) }
        var chunkIndex: Int64? { statement.isNull(6) ? nil : statement.int64(6) }
        /// Generation of the stage that created the row.
        var born: Int { statement.int(7) }
        /// Generation of the stage that dropped it; Int.max while alive.
        var droppedBy: Int { statement.isNull(8) ? Int.max : statement.int(8) }
    }

    /// The rows alive after any of `stages` (at least one), in input order. A row is alive after stage
    /// S when `born <= S AND (dropped_by IS NULL OR dropped_by > S)`, which does not depend on
    /// `generation`: it is right even while cheap stages' checkpoints are still pending (their
    /// survivors' generation is moved forward later, in one UPDATE), and once they are committed it
    /// equals the view after_<S>: `generation >= S AND born <= S`. Nor does it change when later stages
    /// run (they drop rows as later stages, add rows born later, and only the stage that rewrites texts
    /// rewrites them), so any state after S's commit gives S's rows.
    ///
    /// `originalTexts: false` leaves the original text out and reads the changed one through the
    /// partial index of changed texts: the caller takes the original texts from the input records
    /// (JSONL, where the text field is what ingest stored), and the texts no stage changed are not read
    /// from the store at all. Measured at 1M rows, reading row_content was a third of a snapshot's SQLite time.
    /// Without chunks the rows come in row-id order, and the changed texts are read by a second cursor
    /// walking the partial index in the same order beside them, instead of one index lookup per row:
    /// measured at 1M rows (5% of the texts changed), the lookups were 0.45 s of the scan's 1.5 s.
    ///
    /// `fromRow`: only the rows from that position in input order on (row id; a chunk's: its parent's).
    func forEachStageRow(_ of: [StageID], originalTexts: Bool, fromRow: Int64 = 0, _ body: (StageRow) throws -> Void) throws {
        let needsChanged = of.contains { stages.mayHaveRewrittenTexts(through: $0) }
        let chunks = try hasChunks()
        // Without chunks, the changed texts are walked beside the rows (below); with them, looked up.
        let lookUp = needsChanged && chunks
        let texts: String
        let from: String
        if originalTexts {
            texts = "c.text_original, " + (lookUp ? Self.changedText : "NULL")
            from = "rows r JOIN row_content c USING (row_id)" + (lookUp ? " " + Self.joinSanitized : "")
        } else {
            texts = "NULL, " + (lookUp ? "coalesce((SELECT t.text FROM sanitized_text t WHERE t.row_id = r.row_id), "
                + "(SELECT c.text FROM row_content c INDEXED BY row_content_changed WHERE c.row_id = r.row_id AND c.text IS NOT NULL))" : "NULL")
            from = "rows r"
        }
        let select = try database.cachedStatement("""
            SELECT r.row_id, r.record_offset, r.record_length, \(texts), r.parent_row, r.chunk_index, r.born, r.dropped_by
            FROM \(from)
            WHERE r.born <= ?1 AND (r.dropped_by IS NULL OR r.dropped_by > ?2) AND \(chunks ? "coalesce(r.parent_row, r.row_id)" : "r.row_id") >= ?3
            ORDER BY \(Self.rowOrder(alias: "r", chunks: chunks))
            """)
        defer { select.reset() }
        try select.bind(of.map(\.generation).max()!, at: 1)
        try select.bind(of.map(\.generation).min()!, at: 2)
        try select.bind(fromRow, at: 3)
        guard needsChanged && !chunks else {
            let row = StageRow(statement: select, changed: nil)
            while try select.step() { try body(row) }
            return
        }
        var row = StageRow(statement: select, changed: try changedTexts(fromRow: fromRow))
        defer { row.changed?.statement.reset() }
        while try select.step() {
            try row.changed?.move(to: select.int64(0))
            try body(row)
        }
    }

    /// True when `stage` left the rows of the stage before it as they were: it dropped none, added
    /// none and rewrote no text. Its snapshot is then the previous one byte for byte (same rows, texts
    /// and columns). Index lookups only.
    func stageKeptRows(_ stage: StageID) throws -> Bool {
        guard stage != stages.source else { return false }
        if try database.scalar("SELECT EXISTS (SELECT 1 FROM rows WHERE dropped_by = ?)", [.integer(Int64(stage.generation))])?.int != 0 {
            return false
        }
        let definition = stages.definition(of: stage)
        if definition.addsRows, try hasChunks() { return false }
        if definition.rewritesTexts {
            // Chunk rows (born later) hold their own texts: only rows from before count.
            return try database.scalar("""
                SELECT EXISTS (SELECT 1 FROM (\(Self.changedTextsSQL)) x JOIN rows r USING (row_id) WHERE r.born <= ?)
                """, [.integer(Int64(stage.generation))])?.int == 0
        }
        return true
    }

    /// (offset, length) of every record the input stage read from row `fromRow` on, bad records
    /// excluded (they have no fields), in input order.
    func forEachReadRecord(fromRow: Int64 = 0, _ body: (_ offset: Int64, _ length: Int) throws -> Void) throws {
        let select = try database.cachedStatement("""
            SELECT record_offset, record_length FROM rows WHERE born = ? AND text_state <> 'bad_record' AND row_id >= ? ORDER BY row_id
            """)
        defer { select.reset() }
        try select.bind(stages.source.generation, at: 1)
        try select.bind(fromRow, at: 2)
        while try select.step() { try body(select.int64(0), select.int(1)) }
    }
}
