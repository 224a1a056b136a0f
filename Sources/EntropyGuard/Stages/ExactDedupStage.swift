/// Exact dedup: two rows are duplicates when their normalized texts (TextNormalizer) are equal. The
/// first occurrence in input order survives; the others record duplicate_of and exact_duplicate.
///
/// Every row carries `dedup_key` (XXH3-64 of its normalized text, kept current by the stages that
/// change text). One scan of the narrow rows table in row order finds, per key, its first row; to
/// bound memory the keys are split into partitions by their top bits (one scan per partition of at
/// most `partitionCapacity` rows). A key seen before makes a candidate pair, which is confirmed by
/// comparing the normalized texts, so a 64-bit collision never merges different texts.
struct ExactDedupStage: PipelineStage {
    let id = StageID.exactDedup
    /// Rows per partition: 1M keys is about 25 MB of hash table, the same at 1M rows as at 4M (one more
    /// scan of the narrow rows table per extra million).
    var partitionCapacity = 1_000_000

    var settings: String { "normalize=lower+collapse-whitespace+trim;hash=xxh3-64;v1" }

    func run(_ context: StageContext) throws -> StageReport {
        let database = context.store.database
        let alive = try database.scalar("SELECT count(*) FROM rows WHERE dropped_by IS NULL")?.int ?? 0
        let partitions = max(1, (alive + partitionCapacity - 1) / partitionCapacity)
        // Input order: "first occurrence" is by row, with chunks where their parent was.
        let scan = try database.cachedStatement(
            "SELECT row_id, dedup_key FROM rows WHERE dropped_by IS NULL AND text_state = 'ok' ORDER BY \(try context.store.rowOrder())")
        let textOf = try database.cachedStatement("SELECT coalesce(text, text_original) FROM row_content WHERE row_id = ?")
        let normalizer = TextNormalizer()

        func normalizedText(_ row: Int64) throws -> [UInt8] {
            try textOf.bind(row, at: 1)
            let text = try textOf.step() ? textOf.string(0) ?? "" : ""
            textOf.reset()
            return normalizer.normalize(text)
        }

        var collisions = 0
        var dropped = 0
        context.progress.begin(stage: "exact_dedup", total: alive * partitions)
        var scanned = 0
        for partition in 0..<partitions {
            // key -> the rows that kept it (more than one only after a real 64-bit collision).
            var firstRow: [Int64: Int64] = [:]
            firstRow.reserveCapacity(min(alive, partitionCapacity))
            var collided: [Int64: [Int64]] = [:]
            var pairs: [(row: Int64, first: Int64)] = []
            while try scan.step() {
                scanned += 1
                if scanned % 100_000 == 0 { context.progress.update(done: scanned) }
                let key = scan.int64(1)
                if partitions > 1 && Int(UInt64(bitPattern: key) % UInt64(partitions)) != partition { continue }
                let row = scan.int64(0)
                if let first = firstRow[key] {
                    pairs.append((row, first))
                } else {
                    firstRow[key] = row
                }
            }
            scan.reset()
            try Interrupt.check()

            // Confirm each pair by text. The survivors' normalized texts are read first, in row-id order,
            // and kept for this partition (a few MB per 100k groups); then the duplicates are read in
            // row order. Both sweeps walk row_content forward instead of jumping back to each survivor.
            var survivorText: [Int64: [UInt8]] = [:]
            for first in Set(pairs.map(\.first)).sorted() { survivorText[first] = try normalizedText(first) }
            var index = 0
            while index < pairs.count {
                let end = min(index + context.options.batchSize, pairs.count)
                try database.transaction {
                    for (row, first) in pairs[index..<end] {
                        let text = try normalizedText(row)
                        // Pairs are in input order, so every candidate survivor came first.
                        let survivor = ([first] + (collided[first] ?? [])).first { survivorText[$0] == text }
                        if let survivor {
                            try context.store.drop(row: row, by: id, reason: "exact_duplicate", duplicateOf: survivor)
                            dropped += 1
                        } else {
                            // Same key, different text: this row survives, and later rows of the key
                            // are compared with it too.
                            collided[first, default: []].append(row)
                            survivorText[row] = text
                            collisions += 1
                        }
                    }
                }
                try Interrupt.check()
                index = end
            }
        }
        context.progress.end()
        return StageReport(notes: collisions > 0 ? ["hash_collisions": collisions] : [:])
    }
}
