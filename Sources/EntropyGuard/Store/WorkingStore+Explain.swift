/// The store's operations for `explain`: one row with everything recorded about it, the rows related
/// to it. Point lookups by row id, except `duplicates(of:)` and `rowIDs(atLine:)`, which scan `rows`
/// (no index on duplicate_of or line: the pipeline would pay for one on every row; a scan of a
/// 1M-row store is a fraction of a second, once per explained row).
extension WorkingStore {
    /// What the store holds about one row.
    struct StoredRow {
        var rowID: Int64
        var line: Int
        /// Last stage survived (0 = rejected at ingest).
        var generation: Int
        /// Generation of the stage that made the row.
        var born: Int
        /// `ok`, `missing`, `null`, `not_string` or `bad_record`.
        var textState: String
        var droppedBy: Int?
        var drop: DropInfo?
        var parentRow: Int64?
        var chunkIndex: Int?
        /// The text as read (nil: none; chunk rows have none, their text is `changedText`).
        var originalText: String?
        /// The text as the text-rewriting stage left it (nil: unchanged).
        var changedText: String?

        /// The text as the latest stage left it.
        var currentText: String? { changedText ?? originalText }
    }

    /// The row `id`, or nil when the store has no such row.
    func storedRow(_ id: Int64) throws -> StoredRow? {
        guard let r = try database.rows("""
            SELECT r.row_id, r.line, r.generation, r.born, r.text_state, r.dropped_by, s.name, r.drop_reason, r.drop_details,
                   r.duplicate_of, r.similarity, r.parent_row, r.chunk_index, c.text_original, \(RowReader.changedText)
            FROM rows r LEFT JOIN row_content c USING (row_id) \(RowReader.joinSanitized) LEFT JOIN stages s ON s.generation = r.dropped_by
            WHERE r.row_id = ?
            """, [.integer(id)]).first else { return nil }
        let drop = r[5].int.map { _ in
            DropInfo(stage: r[6].string ?? "", reason: r[7].string ?? "", details: r[8].string, duplicateOf: r[9].int64, similarity: r[10].double)
        }
        return StoredRow(rowID: r[0].int64 ?? id, line: r[1].int ?? 0, generation: r[2].int ?? 0, born: r[3].int ?? 1,
                         textState: r[4].string ?? "", droppedBy: r[5].int, drop: drop, parentRow: r[11].int64, chunkIndex: r[12].int,
                         originalText: r[13].string, changedText: r[14].string)
    }

    /// The rows of the records that start at `line` of the input (not chunks), by row id.
    func rowIDs(atLine line: Int) throws -> [Int64] {
        try database.rows("SELECT row_id FROM rows WHERE line = ? AND parent_row IS NULL ORDER BY row_id",
                          [.integer(Int64(line))]).compactMap { $0[0].int64 }
    }

    /// The first and last line where a record starts (nil: no rows).
    func lineRange() throws -> ClosedRange<Int>? {
        guard let r = try database.rows("SELECT min(line), max(line) FROM rows WHERE parent_row IS NULL").first,
              let low = r[0].int, let high = r[1].int else { return nil }
        return low...high
    }

    /// The chunk rows cut from `row`, in chunk order (index through rows_chunks).
    func chunkRows(ofParent row: Int64) throws -> [Int64] {
        try database.rows("SELECT row_id FROM rows INDEXED BY rows_chunks WHERE parent_row = ? ORDER BY chunk_index",
                          [.integer(row)]).compactMap { $0[0].int64 }
    }

    /// How many rows were dropped as duplicates of `row`, and the first `limit` of them by row id.
    func duplicates(of row: Int64, limit: Int) throws -> (count: Int, first: [(row: Int64, drop: DropInfo)]) {
        let count = try database.scalar("SELECT count(*) FROM rows WHERE duplicate_of = ? AND dropped_by IS NOT NULL", [.integer(row)])?.int ?? 0
        let first = try database.rows("""
            SELECT row_id, stage, reason, details, duplicate_of, similarity FROM dropped WHERE duplicate_of = ? ORDER BY row_id LIMIT ?
            """, [.integer(row), .integer(Int64(limit))]).map { r in
            (row: r[0].int64 ?? 0, drop: DropInfo(stage: r[1].string ?? "", reason: r[2].string ?? "", details: r[3].string,
                                                  duplicateOf: r[4].int64, similarity: r[5].double))
        }
        return (count, first)
    }
}
