/// A connection of its own, pinned to the store as committed when it was opened: a stage's snapshot is
/// exported from it on a worker thread while the pipeline goes on writing the next stages. In WAL mode
/// the reader and the writer never wait for each other; the reader sees none of the later commits.
/// While it is open the log cannot start over, so it grows by what the pipeline writes meanwhile.
final class SnapshotReader {
    let database: Database

    /// Opens the connection and starts its read transaction at once (on the caller's thread, before
    /// the pipeline writes anything more).
    init(path: String) throws {
        database = try Database(path: path)
        try database.execute("BEGIN")
        // A deferred transaction takes its snapshot at its first read.
        _ = try database.scalar("SELECT count(*) FROM checkpoints")
    }

    deinit { try? database.execute("COMMIT") }
}

/// The store's questions about a stage's snapshot, on any connection (the pipeline's own or a
/// `SnapshotReader`'s).
extension Database {
    /// True once chunking added rows: row order is then (parent or own row, chunk index), not row_id.
    func hasChunks() throws -> Bool {
        try scalar("SELECT EXISTS (SELECT 1 FROM rows INDEXED BY rows_chunks WHERE parent_row IS NOT NULL)")?.int == 1
    }

    /// ORDER BY clause for input order (chunks right where their parent was).
    func rowOrder(alias: String = "") throws -> String {
        let p = alias.isEmpty ? "" : alias + "."
        return try hasChunks() ? "coalesce(\(p)parent_row, \(p)row_id), coalesce(\(p)chunk_index, 0)" : "\(p)row_id"
    }

    /// The rows alive after any of `stages` (at least one), in input order: row_id, record_offset,
    /// record_length, text_original, text (NULL: unchanged), parent_row, chunk_index, born, dropped_by.
    /// A row is alive after stage S when `born <= S AND (dropped_by IS NULL OR dropped_by > S)`, which
    /// does not depend on `generation`: it is right even while cheap stages' checkpoints are still
    /// pending (their survivors' generation is moved forward later, in one UPDATE), and once they are
    /// committed it equals the view after_<S>: `generation >= S AND born <= S`. Nor does it change
    /// when later stages run (they drop rows as later stages, add rows born later, and only sanitize
    /// rewrites texts), so any state after S's commit gives S's rows.
    ///
    /// `originalTexts: false` leaves text_original NULL and reads `text` through the partial index of
    /// changed texts: the caller takes the original texts from the input records (JSONL, where the text
    /// field is what ingest stored), and the texts no stage changed are not read from the store at all.
    /// Measured at 1M rows, reading row_content was a third of a snapshot's SQLite time.
    func stageRows(_ stages: [StageID], originalTexts: Bool) throws -> Statement {
        let needsChanged = stages.contains { $0 >= .sanitize }
        let texts: String
        let from: String
        switch (originalTexts, needsChanged) {
        case (true, _):
            texts = "c.text_original, c.text"
            from = "rows r JOIN row_content c USING (row_id)"
        case (false, true):
            texts = "NULL, (SELECT c.text FROM row_content c INDEXED BY row_content_changed WHERE c.row_id = r.row_id AND c.text IS NOT NULL)"
            from = "rows r"
        case (false, false):
            texts = "NULL, NULL"
            from = "rows r"
        }
        let select = try cachedStatement("""
            SELECT r.row_id, r.record_offset, r.record_length, \(texts), r.parent_row, r.chunk_index, r.born, r.dropped_by
            FROM \(from)
            WHERE r.born <= ?1 AND (r.dropped_by IS NULL OR r.dropped_by > ?2)
            ORDER BY \(try rowOrder(alias: "r"))
            """)
        try select.bind(stages.map(\.generation).max()!, at: 1)
        try select.bind(stages.map(\.generation).min()!, at: 2)
        return select
    }

    /// True when `stage` left the rows of the stage before it as they were: it dropped none, added
    /// none (only chunking adds rows) and rewrote no text (only sanitize does). Its snapshot is then
    /// the previous one byte for byte (same rows, texts and columns). Index lookups only.
    func stageKeptRows(_ stage: StageID) throws -> Bool {
        guard stage > .ingest else { return false }
        if try scalar("SELECT EXISTS (SELECT 1 FROM rows WHERE dropped_by = ?)", [.integer(Int64(stage.generation))])?.int != 0 {
            return false
        }
        if stage == .chunk, try hasChunks() { return false }
        if stage == .sanitize {
            // Chunk rows (born later) hold their own texts: only rows from before count.
            return try scalar("""
                SELECT EXISTS (SELECT 1 FROM row_content c INDEXED BY row_content_changed JOIN rows r USING (row_id)
                               WHERE c.text IS NOT NULL AND r.born <= ?)
                """, [.integer(Int64(stage.generation))])?.int == 0
        }
        return true
    }
}
