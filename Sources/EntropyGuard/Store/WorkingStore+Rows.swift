import MinHash

/// The store's operations on rows for the stages: counting and dropping rows, moving survivors
/// forward, reading keys and texts, rewriting texts, adding chunk rows.
extension WorkingStore {
    // MARK: alive rows and drops

    /// Moves every alive row to `stage`'s generation: they survived it and every stage before it.
    /// Runs in the transaction that commits the stage's checkpoint.
    /// `fromRow`: only rows from this one on (an append's new rows; the old ones are past it already),
    /// a range of the table instead of all of it.
    func advanceSurvivors(to stage: StageID, fromRow: Int64 = 0) throws {
        try database.run("UPDATE rows SET generation = ?1 WHERE dropped_by IS NULL AND generation < ?1 AND row_id >= ?2",
                         [.integer(Int64(stage.generation)), .integer(fromRow)])
    }

    /// Rows not dropped so far: the input of the next stage.
    public func aliveCount() throws -> Int {
        // All rows minus the dropped ones: both counts come from small structures (the table's b-tree
        // pages without decoding records, and the partial index rows_dropped).
        try database.scalar("SELECT (SELECT count(*) FROM rows) - (SELECT count(*) FROM rows WHERE dropped_by IS NOT NULL)")?.int ?? 0
    }

    /// Marks one row dropped by `stage`; its generation is the stage before (the last one it survived).
    public func drop(row: Int64, by stage: StageID, reason: String, details: String? = nil,
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

    /// Marks `pairs` (row, the row it duplicates) dropped by `stage` with `reason`.
    func dropDuplicates(_ pairs: ArraySlice<CandidatePair>, by stage: StageID, reason: String) throws {
        try dropDuplicates(pairs, by: stage, reason: reason) { ($0.row, $0.first, nil) }
    }

    /// Marks fuzzy dedup's drops (row, the kept row it duplicates, the estimated Jaccard similarity)
    /// dropped by `stage` with `reason`.
    func dropNearDuplicates(_ drops: [FuzzyDrop], by stage: StageID, reason: String) throws {
        try dropDuplicates(drops[...], by: stage, reason: reason) { ($0.row, $0.duplicateOf, $0.similarity) }
    }

    /// 64 rows per UPDATE statement (one statement per row cost a third of the exact-dedup stage).
    private func dropDuplicates<Pair>(_ pairs: ArraySlice<Pair>, by stage: StageID, reason: String,
                                      _ fields: (Pair) -> (row: Int64, duplicateOf: Int64, similarity: Double?)) throws {
        let chunk = 64
        func sql(_ count: Int) -> String {
            let values = (0..<count).map { "(?\($0 * 3 + 4), ?\($0 * 3 + 5), ?\($0 * 3 + 6))" }.joined(separator: ", ")
            return """
                UPDATE rows SET dropped_by = ?1, drop_reason = ?2, drop_details = NULL, similarity = d.column3, generation = ?3,
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
                let (row, duplicateOf, similarity) = fields(pair)
                try statement.bind(row, at: Int32(i * 3 + 4))
                try statement.bind(duplicateOf, at: Int32(i * 3 + 5))
                if let similarity { try statement.bind(similarity, at: Int32(i * 3 + 6)) } else { try statement.bindNull(at: Int32(i * 3 + 6)) }
            }
            try statement.runToCompletion()
            start += count
        }
    }

    /// Drops, by `stage`, every alive row whose text is null, missing or not a string (empty_or_null),
    /// empty once trimmed (empty_after_strip) or shorter than `minLength` code points
    /// (below_min_length, with the length in the details). One UPDATE on the narrow rows table:
    /// text_length is the trimmed text's code points, kept current by the stages that change text.
    /// `fromRow`: only rows from this one on (an append's new rows).
    func dropInvalidTexts(by stage: StageID, minLength: Int, fromRow: Int64 = 0) throws {
        try database.run("""
            UPDATE rows SET dropped_by = ?1, generation = ?3,
                drop_reason = CASE WHEN text_state <> 'ok' THEN 'empty_or_null'
                                   WHEN text_length = 0 THEN 'empty_after_strip'
                                   ELSE 'below_min_length' END,
                drop_details = CASE text_state WHEN 'missing' THEN 'text field missing'
                                               WHEN 'null' THEN 'text is null'
                                               WHEN 'not_string' THEN 'text is not a string'
                                               ELSE CASE WHEN text_length > 0 THEN text_length || ' < ' || ?2 || ' characters' END END
            WHERE dropped_by IS NULL AND row_id >= ?4
              AND (text_state <> 'ok' OR text_length = 0 OR text_length < ?2)
            """, [.integer(Int64(stage.generation)), .integer(Int64(minLength)), .integer(Int64(stage.generation - 1)), .integer(fromRow)])
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

    // MARK: order

    /// True once chunking added rows: row order is then (parent or own row, chunk index), not row_id.
    func hasChunks() throws -> Bool { try rowReader.hasChunks() }

    /// ORDER BY clause for input order (chunks right where their parent was).
    func rowOrder(alias: String = "") throws -> String { try rowReader.rowOrder(alias: alias) }

    // MARK: dedup keys and texts

    /// Calls `body` with (row, dedup key) of every alive row that has a text, in input order. With
    /// `partitions` > 1, only the keys of one partition (by the key's value modulo `partitions`):
    /// SQLite filters them, so the other partitions' rows never reach Swift.
    /// `aliveBefore`: the rows alive before that stage instead (the rows dropped by it or a later one
    /// too): what the stage read when it ran, which an append reads again (`InputAppend`).
    /// `fromRow`: only rows from there on (an append's new rows: their chunks are numbered after them).
    func forEachDedupKey(partition: Int, of partitions: Int, aliveBefore stage: StageID? = nil, fromRow: Int64 = 0,
                         _ body: (_ row: Int64, _ key: Int64) throws -> Void) throws {
        let partitionFilter = partitions > 1 ? "AND ((dedup_key % ?2) + ?2) % ?2 = ?1" : ""
        let aliveFilter = stage == nil ? "dropped_by IS NULL" : "(dropped_by IS NULL OR dropped_by >= ?3)"
        let rowFilter = fromRow > 0 ? "AND row_id >= ?4" : ""
        let scan = try database.cachedStatement("""
            SELECT row_id, dedup_key FROM rows WHERE \(aliveFilter) AND text_state = 'ok' \(partitionFilter) \(rowFilter)
            ORDER BY \(try rowOrder())
            """)
        defer { scan.reset() }
        if partitions > 1 {
            try scan.bind(partition, at: 1)
            try scan.bind(partitions, at: 2)
        }
        if let stage { try scan.bind(stage.generation, at: 3) }
        if fromRow > 0 { try scan.bind(fromRow, at: 4) }
        while try scan.step() { try body(scan.int64(0), scan.int64(1)) }
    }

    /// Calls `body` with each row's current text (UTF-8 bytes, valid during the call) for `rows`, which
    /// must be sorted, in row-id order. SQLite seeks each one; sweeping all of row_content instead cost
    /// a full table read per key partition.
    func forEachText(ofSortedRows rows: ArraySlice<Int64>, _ body: (_ row: Int64, _ text: UnsafeRawBufferPointer) throws -> Void) throws {
        let fetch = try database.cachedStatement("""
            SELECT c.row_id, \(RowReader.currentText) FROM json_each(?) AS j
            JOIN row_content AS c ON c.row_id = j.value LEFT JOIN sanitized_text t ON t.row_id = c.row_id ORDER BY c.row_id
            """)
        defer { fetch.reset() }
        try fetch.bind("[" + rows.map(String.init).joined(separator: ",") + "]", at: 1)
        while try fetch.step() {
            let row = fetch.int64(0)
            try fetch.withBytes(1) { try body(row, $0) }
        }
    }

    /// Calls `body` with the row's current text (UTF-8 bytes, valid during the call; empty when it has none).
    func withText<T>(ofRow row: Int64, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        try Self.withText(database, ofRow: row, body)
    }

    /// `withText(ofRow:)` on `database` (the store's connection or an `EmbeddingReader`'s).
    static func withText<T>(_ database: Database, ofRow row: Int64, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let textOf = try database.cachedStatement("SELECT \(RowReader.currentText) FROM row_content c \(RowReader.joinSanitized) WHERE c.row_id = ?")
        try textOf.bind(row, at: 1)
        defer { textOf.reset() }
        return try textOf.step() ? textOf.withBytes(0, body) : body(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// The row's current text ("" when it has none).
    func text(ofRow row: Int64) throws -> String {
        try withText(ofRow: row) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with (row, current text) of every alive row that has a text, in input order.
    /// `aliveBefore`: as for `forEachDedupKey`. Without chunks the rows come in row-id order and the
    /// changed texts are walked beside them (RowReader.ChangedTexts): a LEFT JOIN of sanitized_text
    /// looked up every row (0.35 CPU-s more per 1M rows).
    func forEachAliveText(aliveBefore stage: StageID? = nil, _ body: (_ row: Int64, _ text: String) throws -> Void) throws {
        let aliveFilter = stage == nil ? "r.dropped_by IS NULL" : "(r.dropped_by IS NULL OR r.dropped_by >= ?1)"
        let chunks = try hasChunks()
        let select = try database.cachedStatement("""
            SELECT r.row_id, \(chunks ? RowReader.currentText : "c.text_original")
            FROM rows r JOIN row_content c USING (row_id) \(chunks ? RowReader.joinSanitized : "")
            WHERE \(aliveFilter) AND r.text_state = 'ok' ORDER BY \(try rowOrder(alias: "r"))
            """)
        defer { select.reset() }
        if let stage { try select.bind(stage.generation, at: 1) }
        var changed = chunks ? nil : try rowReader.changedTexts()
        defer { changed?.statement.reset() }
        while try select.step() {
            let row = select.int64(0)
            try changed?.move(to: row)
            if let changed, changed.isCurrent {
                try body(row, changed.statement.string(1) ?? "")
            } else {
                try body(row, select.string(1) ?? "")
            }
        }
    }

    /// The texts of the rows alive before `stage` (and created before it), in row-id order,
    /// `batchSize` rows at a time, from the row after `row` on.
    public func aliveTextBatches(before stage: StageID, batchSize: Int, after row: Int64 = -1) -> AliveTextBatches {
        AliveTextBatches(store: self, batchSize: batchSize, bornAtMost: stage.generation - 1, after: row)
    }

    // MARK: rewriting texts and adding rows

    /// A text a stage wrote, with the values derived from it.
    struct NewText {
        var text: String
        /// The exact-dedup key of the text (TextNormalizer).
        var dedupKey: Int64
        /// Code points of the trimmed text.
        var length: Int
    }

    /// Records the texts sanitize rewrote (`changes` in row-id order, after every row recorded before),
    /// with their dedup keys and lengths, in sanitized_text: appended, so only new pages go through the
    /// WAL. The rows take the keys and lengths when the stage's checkpoint is committed
    /// (`applySanitizedValues`). Call inside a transaction (with the batch's progress).
    func addSanitizedTexts(_ changes: [(row: Int64, new: NewText)]) throws {
        let insert = try database.cachedStatement("INSERT INTO sanitized_text (row_id, text, dedup_key, text_length) VALUES (?, ?, ?, ?)")
        for (row, new) in changes {
            try insert.bind(row, at: 1)
            try insert.bind(new.text, at: 2)
            try insert.bind(new.dedupKey, at: 3)
            try insert.bind(new.length, at: 4)
            try insert.runToCompletion()
            insert.reset()
        }
    }

    /// Gives the rows whose text sanitize rewrote (from `fromRow` on) the dedup key and length of the
    /// new text. Runs in the transaction that commits sanitize's checkpoint, right after the survivors'
    /// UPDATE has made every page of `rows` dirty: writing them with each batch instead sent all of
    /// `rows` through the WAL once more.
    /// (An IN list, not UPDATE ... FROM: with that, SQLite's plan scanned all of `rows` and looked
    /// each row up in sanitized_text.)
    func applySanitizedValues(fromRow: Int64 = 0) throws {
        try database.run("""
            UPDATE rows SET (dedup_key, text_length) = (SELECT t.dedup_key, t.text_length FROM sanitized_text t WHERE t.row_id = rows.row_id)
            WHERE row_id IN (SELECT row_id FROM sanitized_text WHERE row_id >= ?1)
            """, [.integer(fromRow)])
    }

    /// The row id after every row in the store: the next added row's.
    func nextRowID() throws -> Int64 {
        (try database.scalar("SELECT max(row_id) FROM rows")?.int64 ?? -1) + 1
    }

    /// A row split by a stage into rows of its own (chunks).
    struct RowSplit {
        var parent: Int64
        var pieces: [NewText]
    }

    /// For each split: adds a row per piece, numbered from `nextRow` on, born at `stage`, linked to the
    /// parent (parent_row, chunk_index) and reusing its record for output; then drops the parent by
    /// `stage` with `reason` and "<n> chunks" as details. Call inside a transaction (with the batch's progress).
    func split(_ splits: [RowSplit], by stage: StageID, reason: String, nextRow: inout Int64) throws {
        let insertRow = try database.cachedStatement("""
            INSERT INTO rows (row_id, line, record_offset, record_length, generation, text_state, text_length, dedup_key,
                              parent_row, chunk_index, born)
            SELECT ?, line, record_offset, record_length, ?, 'ok', ?, ?, row_id, ?, ? FROM rows WHERE row_id = ?
            """)
        let insertText = try database.cachedStatement("INSERT INTO row_content (row_id, text) VALUES (?, ?)")
        var next = nextRow
        do {
            for split in splits {
                for (index, piece) in split.pieces.enumerated() {
                    try insertRow.bind(next, at: 1)
                    try insertRow.bind(stage.generation - 1, at: 2)
                    try insertRow.bind(piece.length, at: 3)
                    try insertRow.bind(piece.dedupKey, at: 4)
                    try insertRow.bind(index, at: 5)
                    try insertRow.bind(stage.generation, at: 6)
                    try insertRow.bind(split.parent, at: 7)
                    try insertRow.runToCompletion()
                    insertRow.reset()
                    try insertText.bind(next, at: 1)
                    try insertText.bind(piece.text, at: 2)
                    try insertText.runToCompletion()
                    insertText.reset()
                    next += 1
                }
                try drop(row: split.parent, by: stage, reason: reason, details: "\(split.pieces.count) chunks")
            }
        }
        nextRow = next
    }
}
