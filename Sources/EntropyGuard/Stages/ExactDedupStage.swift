import MinHash

/// Exact dedup: two rows are duplicates when their normalized texts (TextNormalizer) are equal. The
/// first occurrence in input order survives; the others record duplicate_of and exact_duplicate.
///
/// Every row carries `dedup_key` (XXH3-64 of its normalized text, kept current by the stages that
/// change text). One scan of the narrow rows table in row order finds, per key, its first row; to
/// bound memory the keys are split into partitions by their top bits (one scan per partition of at
/// most `partitionCapacity` rows). A key seen before makes a candidate pair, which is confirmed by
/// comparing the normalized texts, so a 64-bit collision never merges different texts.
///
/// Unicode normalization is not part of the key, on purpose: texts that differ only in NFC/NFD form
/// are different bytes, and the output keeps each one's bytes, so they are not exact duplicates. With
/// sanitize on (the default) both are NFC by this stage and one is dropped; with `--no-sanitize` both
/// survive (semantic dedup, which embeds them alike, may still pair them).
///
/// With a reference (`--reference`), a row's key is first looked up among the reference's kept keys
/// (ReferenceKeyLookup, persisted in its store): a row whose text a reference row has is its duplicate
/// (ReferenceExactConfirmation), as if the reference's keys owned their slots of the table.
struct ExactDedupStage: PipelineStage {
    static let definition = StageDefinition(name: "exact_dedup", removesDuplicates: true) { setup in
        setup.options.exactDedup ? ExactDedupStage(reference: setup.reference) : nil
    }

    var reference: ReferenceCorpus?

    /// Rows per partition: 1M keys is about 32 MB of hash table, the same at 1M rows as at 4M (one more
    /// scan of the narrow rows table per extra million).
    var partitionCapacity = 1_000_000

    var settings: String { "normalize=lower+collapse-whitespace+trim;hash=xxh3-64;v1" + ReferenceCorpus.settings(reference) }

    func run(_ context: StageContext) throws -> StageReport {
        if let appendFrom = context.appendFrom, reference == nil, let report = try appendOnly(context, from: appendFrom) { return report }
        let store = context.store
        // An append reads the old rows alive before this stage too (a later stage may have dropped them).
        let alive = try context.appendFrom == nil ? store.aliveCount() : store.textRowCount(aliveBefore: context.stage)
        let referenceKeys = try alive > 0 ? reference?.keptKeys(progress: context.progress) : nil
        let keys = alive
        let partitions = max(1, (keys + partitionCapacity - 1) / partitionCapacity)
        let chunked = try store.hasChunks()

        var collisions = 0
        var duplicates: [CandidatePair] = []
        // Every key's first row, kept for a later append (`AppendLookup`); not with a reference or
        // chunks, with which there is no append.
        var firstRows: [(key: UInt64, row: Int64)]? = reference == nil && !chunked ? [] : nil
        context.progress.begin(stage: context.stage.name, total: alive)
        var scanned = 0
        for partition in 0..<partitions {
            var firstRow = FirstRowTable(capacity: min(keys, partitionCapacity))
            var pairs: [CandidatePair] = []
            // Input order: "first occurrence" is by row, with chunks where their parent was. The
            // reference came first: its keys own their slots (its kept rows have distinct texts).
            // An append reads the old rows this stage read (its verdicts on them stand) and decides
            // the new ones.
            let appendFrom = context.appendFrom ?? 0
            try store.forEachDedupKey(partition: partition, of: partitions, aliveBefore: context.appendFrom.map { _ in context.stage }) { row, key in
                scanned += 1
                if scanned % 100_000 == 0 { context.progress.update(done: scanned) }
                if let first = referenceKeys?.id(forKey: key) {
                    if row >= appendFrom { pairs.append(CandidatePair(row: row, first: first)) }
                } else if let first = firstRow.firstRow(forKey: key, insertingIfNew: row), row >= appendFrom {
                    pairs.append(CandidatePair(row: row, first: first))
                }
            }
            try Interrupt.check()
            if firstRows != nil { firstRow.forEachEntry { firstRows!.append((UInt64(bitPattern: $0), $1)) } }
            if let reference, pairs.contains(where: { ReferenceRow.isReference($0.first) }) {
                let confirmed = try ReferenceExactConfirmation(pairs.filter { ReferenceRow.isReference($0.first) }, store: store, reference: reference)
                duplicates += confirmed.duplicates
                collisions += confirmed.collisions
                pairs = pairs.filter { !ReferenceRow.isReference($0.first) } + confirmed.localPairs
                if !chunked { pairs.sort { $0.row < $1.row } }
            }
            guard !pairs.isEmpty else { continue }

            // Chunk rows are numbered after the input rows, so row-id order is not input order there:
            // confirm pair by pair. Otherwise the texts involved are read once, in row order.
            let confirmation = chunked
                ? try DuplicateConfirmation.byLookup(pairs, store: store)
                : try DuplicateConfirmation.inRowOrder(pairs, store: store)
            collisions += confirmation.collisions
            duplicates += confirmation.duplicates
        }
        // Drops are written once for all partitions, in row order: each partition's duplicates are
        // spread over the whole table, so writing them per partition rewrote every page of `rows`
        // once per partition. Holding them costs 16 bytes per duplicate.
        duplicates.sort { $0.row < $1.row }
        // A key with two texts (a 64-bit collision) would need all its survivors: none is kept then.
        let lookup = collisions == 0 ? firstRows.map(Self.sortedByKey) : nil
        try drop(duplicates, context: context) {
            try writeLookup(lookup, context: context, firstRow: 0)
        }
        context.progress.end()
        return StageReport(notes: collisions > 0 ? ["hash_collisions": collisions] : [:])
    }

    /// The stage's entries in `append_lookups`: (key, first row) of each distinct key of the rows alive
    /// before it, including those a later stage drops (the keep-first rule counts them).
    static let lookupLayout = AppendLookup.Layout.exact

    /// An append's run when the store holds the old rows' first keys (`append_lookups`): only the new
    /// rows' keys are read and looked up there, then among themselves; nil (the caller reads every row
    /// alive before the stage) when it does not. The first rows of the new keys become a segment of
    /// their own, written with the drops.
    private func appendOnly(_ context: StageContext, from appendFrom: Int64) throws -> StageReport? {
        let store = context.store
        var rows: [Int64] = []
        var keys: [Int64] = []
        try store.forEachDedupKey(partition: 0, of: 1, aliveBefore: context.stage, fromRow: appendFrom) { row, key in
            rows.append(row)
            keys.append(key)
        }
        let wanted = Array(Set(keys.map { UInt64(bitPattern: $0) })).sorted()
        var old: [UInt64: Int64] = [:]
        var found = true
        if !wanted.isEmpty {
            found = try store.forEachAppendLookupPart(name: context.stage.name, identity: context.configHash, rowsBefore: appendFrom) { part in
                try AppendLookup.forEachMatch(in: part, layout: Self.lookupLayout, wanted: wanted) { key, row in
                    old[key] = min(old[key] ?? .max, row)
                }
            }
        }
        guard found else { return nil }
        context.progress.begin(stage: context.stage.name, total: rows.count)
        var firstRow = FirstRowTable(capacity: rows.count)
        var pairs: [CandidatePair] = []
        var newKeys: [(key: UInt64, row: Int64)] = []
        for (row, key) in zip(rows, keys) {
            if let first = old[UInt64(bitPattern: key)] {
                pairs.append(CandidatePair(row: row, first: first))
            } else if let first = firstRow.firstRow(forKey: key, insertingIfNew: row) {
                pairs.append(CandidatePair(row: row, first: first))
            } else {
                newKeys.append((UInt64(bitPattern: key), row))
            }
        }
        try Interrupt.check()
        let chunked = try store.hasChunks()
        var duplicates: [CandidatePair] = []
        var collisions = 0
        if !pairs.isEmpty {
            let confirmation = chunked ? try DuplicateConfirmation.byLookup(pairs, store: store)
                : try DuplicateConfirmation.inRowOrder(pairs, store: store)
            duplicates = confirmation.duplicates.sorted { $0.row < $1.row }
            collisions = confirmation.collisions
        }
        // New chunks: no later append (InputAppend); a collision: see `run`.
        let lookup = collisions == 0 && !chunked ? Self.sortedByKey(newKeys) : nil
        try drop(duplicates, context: context) {
            if let lookup { try writeLookup(lookup, context: context, firstRow: appendFrom) } else { try store.removeAppendLookup(name: context.stage.name) }
        }
        context.progress.end()
        var notes = ["old_keys_matched": old.count]
        if collisions > 0 { notes["hash_collisions"] = collisions }
        return StageReport(notes: notes)
    }

    /// `entries` (distinct keys) sorted by key: a radix sort (a million keys: Swift's sort with a
    /// closure took ~0.15 s of a full run).
    static func sortedByKey(_ entries: [(key: UInt64, row: Int64)]) -> [(key: UInt64, row: Int64)] {
        guard entries.count < Int(UInt32.max) else { return entries.sorted { $0.key < $1.key } }
        var keys = entries.map(\.key)
        var order = (0..<UInt32(entries.count)).map { $0 }
        var keyScratch: [UInt64] = [], orderScratch: [UInt32] = []
        RadixSort.sort(keys: &keys, values: &order, keyScratch: &keyScratch, valueScratch: &orderScratch)
        return order.map { entries[Int($0)] }
    }

    /// Replaces the segments from `firstRow` on with `entries` (sorted by key), or removes them all (nil).
    private func writeLookup(_ entries: [(key: UInt64, row: Int64)]?, context: StageContext, firstRow: Int64) throws {
        let store = context.store
        guard let entries, let endRow = try store.inputRowCount() else { return try store.removeAppendLookup(name: context.stage.name) }
        try store.removeAppendLookup(name: context.stage.name, fromRow: firstRow)
        let writer = AppendLookup.Writer(layout: Self.lookupLayout, runs: [entries.count]) { part, parts, bytes in
            try store.insertAppendLookupPart(name: context.stage.name, identity: context.configHash, firstRow: firstRow, endRow: endRow,
                                             part: part, parts: parts, data: bytes)
        }
        for entry in entries { try writer.append(key: entry.key, row: entry.row) }
        try writer.finish()
    }

    /// Marks the confirmed duplicates in one transaction. They are spread over the whole table, so a
    /// transaction per batch rewrote nearly every page of `rows` each time (15 copies of the table
    /// into the WAL at 1M rows). A crash mid-stage redoes the stage either way.
    /// `then`: the stage's other writes, in the same transaction.
    private func drop(_ duplicates: [CandidatePair], context: StageContext, then: () throws -> Void) throws {
        try context.store.transaction {
            var index = 0
            while index < duplicates.count {
                let end = min(index + context.options.batchSize, duplicates.count)
                try context.store.dropDuplicates(duplicates[index..<end], by: context.stage, reason: "exact_duplicate")
                try Interrupt.check()
                index = end
            }
            try then()
        }
    }
}

/// A row whose key an earlier row (`first`) already had.
struct CandidatePair {
    var row: Int64
    var first: Int64
}
