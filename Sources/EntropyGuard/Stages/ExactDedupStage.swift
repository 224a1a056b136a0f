/// Exact dedup: two rows are duplicates when their normalized texts (TextNormalizer) are equal. The
/// first occurrence in input order survives; the others record duplicate_of and exact_duplicate.
///
/// One pass in row order. `exact_keys` (key -> first row) is the hash table, kept in SQLite so memory
/// stays bounded by the page cache rather than by the number of distinct texts. Equal keys are
/// confirmed by comparing the normalized texts, so a 64-bit collision never merges different texts.
struct ExactDedupStage: PipelineStage {
    let id = StageID.exactDedup
    /// The key function; tests replace it to force collisions.
    var key: (inout TextNormalizer, String) -> Int64 = { normalizer, text in normalizer.key(text) }

    var settings: String { "normalize=lower+collapse-whitespace+trim;hash=xxh3-64;v1" }

    func run(_ context: StageContext) throws -> StageReport {
        let database = context.store.database
        try database.run("DELETE FROM exact_keys")
        let total = try context.store.aliveCount(after: .validate)
        let select = try database.cachedStatement("""
            SELECT r.row_id, coalesce(c.text, c.text_original) FROM rows r JOIN row_content c USING (row_id)
            WHERE r.generation = ? AND r.dropped_by IS NULL AND r.row_id > ? ORDER BY r.row_id LIMIT ?
            """)
        let insertKey = try database.cachedStatement("INSERT OR IGNORE INTO exact_keys (key, row_id) VALUES (?, ?)")
        let findKey = try database.cachedStatement("SELECT row_id FROM exact_keys WHERE key = ?")
        let textOf = try database.cachedStatement("SELECT coalesce(text, text_original) FROM row_content WHERE row_id = ?")

        var normalizer = TextNormalizer()
        var other = TextNormalizer()
        // Rows that survived although their key was taken by a different text (a real hash collision):
        // later rows with that key are compared against them too. Rare, so in memory.
        var collisionSurvivors: [Int64: [Int64]] = [:]
        var lastRow: Int64 = -1
        var done = 0
        context.progress.begin(stage: "exact_dedup", total: total)
        while true {
            try Interrupt.check()
            var batch: [(row: Int64, text: String)] = []
            try select.bind(Int64(id.generation - 1), at: 1)
            try select.bind(lastRow, at: 2)
            try select.bind(context.options.batchSize, at: 3)
            while try select.step() { batch.append((select.int64(0), select.string(1) ?? "")) }
            select.reset()
            guard let last = batch.last else { break }
            lastRow = last.row
            try database.transaction {
                for (row, text) in batch {
                    let k = key(&normalizer, text)
                    try insertKey.bind(k, at: 1)
                    try insertKey.bind(row, at: 2)
                    try insertKey.runToCompletion()
                    insertKey.reset()
                    if database.changes == 1 { continue }   // first of its key: kept
                    try findKey.bind(k, at: 1)
                    var candidates: [Int64] = []
                    if try findKey.step() { candidates.append(findKey.int64(0)) }
                    findKey.reset()
                    candidates += collisionSurvivors[k] ?? []
                    let normalized = normalizer.normalize(text)
                    var survivor: Int64?
                    for candidate in candidates {
                        try textOf.bind(candidate, at: 1)
                        let candidateText = try textOf.step() ? textOf.string(0) ?? "" : ""
                        textOf.reset()
                        if other.normalize(candidateText) == normalized { survivor = candidate; break }
                    }
                    if let survivor {
                        try context.store.drop(row: row, by: id, reason: "exact_duplicate", duplicateOf: survivor)
                    } else {
                        collisionSurvivors[k, default: []].append(row)
                    }
                }
            }
            done += batch.count
            context.progress.update(done: done)
        }
        context.progress.end()
        return StageReport(notes: collisionSurvivors.isEmpty ? [:] : ["hash_collisions": collisionSurvivors.values.reduce(0) { $0 + $1.count }])
    }
}
