/// The store's operations for the outputs: the records to write, the snapshots' rows, the audit log.
/// Each calls its body once per row with a view of the statement's current row (valid during the call).
extension WorkingStore {
    /// True when a stage changed a text (only then do the outputs read row_content).
    func hasChangedTexts() throws -> Bool {
        try database.scalar("SELECT EXISTS (\(RowReader.changedTextsSQL))")?.int == 1
    }

    /// A row to write: where its record is in the input, its new text if a stage changed it, its chunk;
    /// with `forEachAnnotatedRow`, also its original text and why it was dropped.
    struct OutputRow {
        fileprivate let statement: Statement
        fileprivate let chunked: Bool
        /// Without chunks: the cursor over the changed texts (see `RowReader.ChangedTexts`).
        fileprivate var changed: RowReader.ChangedTexts?
        var offset: Int64 { statement.int64(1) }
        var length: Int { statement.int(2) }
        var hasNewText: Bool { changed.map { $0.isCurrent } ?? !statement.isNull(3) }
        var newText: String? {
            if let changed { return changed.isCurrent ? changed.statement.string(1) : nil }
            return statement.string(3)
        }
        /// The text as the latest stage left it (UTF-8 bytes, valid during the body; nil: none).
        /// `forEachAnnotatedRow` only.
        var currentText: UnsafeRawBufferPointer? {
            !statement.isNull(3) ? statement.withBytes(3) { $0 } : statement.isNull(6) ? nil : statement.withBytes(6) { $0 }
        }
        /// Chunk rows: the row they were cut from and their position in it.
        var chunk: (parent: Int64, index: Int)? { !chunked || statement.isNull(4) ? nil : (statement.int64(4), statement.int(5)) }
        /// Why the row was dropped (nil: kept). `forEachAnnotatedRow` only.
        var drop: DropInfo? {
            statement.isNull(7) ? nil : DropInfo(stage: statement.string(7) ?? "", reason: statement.string(8) ?? "",
                                                 details: statement.string(9), duplicateOf: statement.isNull(10) ? nil : statement.int64(10),
                                                 similarity: statement.isNull(11) ? nil : statement.double(11))
        }
    }

    /// The rows alive after `stage`, in input order; from input row `fromRow` on (its chunks included).
    func forEachOutputRow(after stage: StageID, fromRow: Int64 = 0, _ body: (OutputRow) throws -> Void) throws {
        // When no stage changed a text, every record goes out as it came in: row_content is not read.
        // Without chunks, the changed texts are walked beside the rows in row-id order
        // (RowReader.ChangedTexts) rather than joined: the join read all of row_content, original
        // texts included, for the few changed ones. Chunk columns only when there are chunks: SQLite
        // decodes a record's header up to the last column asked for, and these two are at the end of the row.
        let textsChanged = try hasChangedTexts()
        let chunked = try hasChunks()
        let joined = textsChanged && chunked
        let select = try database.cachedStatement("""
            SELECT r.row_id, r.record_offset, r.record_length, \(joined ? RowReader.changedText : "NULL")\(chunked ? ", r.parent_row, r.chunk_index" : "")
            FROM rows r \(joined ? "JOIN row_content c USING (row_id) " + RowReader.joinSanitized : "")
            WHERE r.generation >= ? AND \(chunked ? "coalesce(r.parent_row, r.row_id)" : "r.row_id") >= ? ORDER BY \(try rowOrder(alias: "r"))
            """)
        defer { select.reset() }
        try select.bind(stage.generation, at: 1)
        try select.bind(fromRow, at: 2)
        var row = OutputRow(statement: select, chunked: chunked, changed: textsChanged && !chunked ? try rowReader.changedTexts(fromRow: fromRow) : nil)
        defer { row.changed?.statement.reset() }
        while try select.step() {
            try row.changed?.move(to: select.int64(0))
            try body(row)
        }
    }

    /// Every row that holds a record (all but unreadable lines, `bad_record`), kept or dropped, in input
    /// order: a row split into chunks right before its chunks. With the drop fields of the view
    /// `dropped` (the audit log's) and both texts, for `--annotate`. From input row `fromRow` on.
    func forEachAnnotatedRow(fromRow: Int64 = 0, _ body: (OutputRow) throws -> Void) throws {
        let chunked = try hasChunks()
        let order = chunked ? "coalesce(r.parent_row, r.row_id), r.parent_row IS NOT NULL, r.chunk_index" : "r.row_id"
        let select = try database.cachedStatement("""
            SELECT r.row_id, r.record_offset, r.record_length, \(RowReader.changedText), r.parent_row, r.chunk_index, c.text_original,
                   s.name, r.drop_reason, r.drop_details, r.duplicate_of, r.similarity
            FROM rows r JOIN row_content c USING (row_id) \(RowReader.joinSanitized) LEFT JOIN stages s ON s.generation = r.dropped_by
            WHERE r.text_state <> 'bad_record' AND \(chunked ? "coalesce(r.parent_row, r.row_id)" : "r.row_id") >= ? ORDER BY \(order)
            """)
        defer { select.reset() }
        try select.bind(fromRow, at: 1)
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

    /// The row scans that may also run on a `SnapshotReader`'s connection, here on the store's own.
    var rowReader: RowReader { RowReader(database: database, stages: stages) }

    /// A dropped row, from the view `dropped`: the audit log's entry.
    struct DroppedRow {
        fileprivate let statement: Statement
        var rowID: Int64 { statement.int64(0) }
        var drop: DropInfo {
            DropInfo(stage: statement.string(1) ?? "", reason: statement.string(2) ?? "", details: statement.string(3),
                     duplicateOf: statement.isNull(4) ? nil : statement.int64(4), similarity: statement.isNull(5) ? nil : statement.double(5))
        }
    }

    /// Every dropped row, by row id; from row `fromRow` on (an append's chunks are numbered after its rows).
    func forEachDroppedRow(fromRow: Int64 = 0, _ body: (DroppedRow) throws -> Void) throws {
        let select = try database.cachedStatement("""
            SELECT row_id, stage, reason, details, duplicate_of, similarity FROM dropped WHERE row_id >= ? ORDER BY row_id
            """)
        defer { select.reset() }
        try select.bind(fromRow, at: 1)
        let row = DroppedRow(statement: select)
        while try select.step() { try body(row) }
    }
}
