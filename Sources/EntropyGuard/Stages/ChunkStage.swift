/// Splits texts longer than the chunk size into overlapping chunks (Chunker). Each chunk becomes a new
/// row that links to its parent (parent_row, chunk_index) and reuses the parent's record for output; the
/// parent is dropped with reason split_into_chunks. Chunk rows are numbered after all existing rows, in
/// parent order, so the numbering is deterministic. Each batch commits with its progress
/// (RowTextBatches), so a crash loses at most one batch; the notes count this run's rows.
struct ChunkStage: PipelineStage {
    let id = StageID.chunk
    let checkpointsImmediately = true
    let resumesPerBatch = true
    let chunker: Chunker

    var settings: String {
        "size=\(chunker.size);overlap=\(chunker.overlap);separators=\(chunker.separators.map { $0.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: "+") }.joined(separator: ","));v1"
    }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        let database = store.database
        let insertRow = try database.cachedStatement("""
            INSERT INTO rows (row_id, line, record_offset, record_length, generation, text_state, text_length, dedup_key,
                              parent_row, chunk_index, born)
            SELECT ?, line, record_offset, record_length, ?, 'ok', ?, ?, row_id, ?, ? FROM rows WHERE row_id = ?
            """)
        let insertText = try database.cachedStatement("INSERT INTO row_content (row_id, text) VALUES (?, ?)")
        let normalizer = TextNormalizer()
        var batches = try RowTextBatches(stage: id, context: context, bornAtMost: StageID.sanitize.generation)
        var split = 0, created = 0, done = 0
        while let batch = try batches.next() {
            try Interrupt.check()
            let pieces = parallelMap(batch) { chunker.chunks(of: $0.text) }
            try database.transaction {
                // After the input rows and the chunks committed so far (by this run or an interrupted
                // one): the numbers of one uninterrupted run, whatever the batch size.
                var nextRow = try store.nextRowID()
                for (item, chunks) in zip(batch, pieces) where chunks.count > 1 {
                    for (index, chunk) in chunks.enumerated() {
                        try insertRow.bind(nextRow, at: 1)
                        try insertRow.bind(id.generation - 1, at: 2)
                        try insertRow.bind(TextNormalizer.trimmedLength(chunk), at: 3)
                        try insertRow.bind(normalizer.key(chunk), at: 4)
                        try insertRow.bind(index, at: 5)
                        try insertRow.bind(id.generation, at: 6)
                        try insertRow.bind(item.row, at: 7)
                        try insertRow.runToCompletion()
                        insertRow.reset()
                        try insertText.bind(nextRow, at: 1)
                        try insertText.bind(chunk, at: 2)
                        try insertText.runToCompletion()
                        insertText.reset()
                        nextRow += 1
                    }
                    try store.drop(row: item.row, by: id, reason: "split_into_chunks", details: "\(chunks.count) chunks")
                    split += 1
                    created += chunks.count
                }
                try batches.markDone(through: batch[batch.count - 1].row)
            }
            done += batch.count
            context.progress.update(done: done)
        }
        context.progress.end()
        return StageReport(notes: ["rows_split": split, "chunks_created": created, "rows_resumed": batches.resumedRows])
    }
}

extension WorkingStore {
    /// The row id after every row in the store.
    func nextRowID() throws -> Int64 {
        (try database.scalar("SELECT max(row_id) FROM rows")?.int64 ?? -1) + 1
    }

    /// True once chunking added rows: row order is then (parent or own row, chunk index), not row_id.
    func hasChunks() throws -> Bool { try database.hasChunks() }

    /// ORDER BY clause for input order (chunks right where their parent was).
    func rowOrder(alias: String = "") throws -> String { try database.rowOrder(alias: alias) }
}
