import Dispatch
import MinHash

/// Fuzzy dedup: MinHash-LSH near-duplicate removal. A row is dropped (near_duplicate, duplicate_of =
/// the most similar earlier *kept* row, similarity = the estimated Jaccard similarity of the two rows'
/// shingle sets) when the estimate is at least the threshold. Only kept rows absorb others, so there is
/// no chaining: semantic dedup's rule, on MinHash estimates. Candidates come from LSH buckets and every
/// candidate pair is verified on the whole signature (`FuzzySelector`).
///
/// The alive rows are read in input order, a batch at a time. Each batch's signatures are looked up in
/// the store's signature cache (keyed by `MinHasher.cacheKey` and XXH3-128 of the text, as embeddings
/// are): the whole batch by its texts' hashes in order, and when it is not there text by text; the
/// missing ones are signed on two threads and the batch's signatures committed with it as one row, so
/// a crash inside the stage loses at most one batch of signatures (the stage is then redone from the
/// cache), identical texts are signed once, and a run with another threshold, which changes only the
/// banding and the selection, signs nothing. The selection runs on a thread of its own, one batch behind, while the
/// next batch is read and signed; its drops are written with the next batch's commit.
///
/// Deterministic: signatures do not depend on batch or thread count, and the selector decides from the
/// input order alone (FuzzySelectorTests).
///
/// With a reference (`--reference`), the selector first gets the reference's kept rows' stored
/// signatures (as `ReferenceRow` ids), so they absorb the input's near duplicates as earlier kept rows.
struct FuzzyDedupStage: PipelineStage {
    static let definition = StageDefinition(name: "fuzzy_dedup", checkpointsImmediately: true, removesDuplicates: true,
                                            usesAllCores: true,
                                            optionKeys: ["no-fuzzy-dedup", "fuzzy-threshold", "shingle", "minhash-perms"]) { setup in
        let options = setup.options
        guard options.fuzzyDedup else { return nil }
        do {
            return FuzzyDedupStage(hasher: try MinHasher(setting: options.shingle, permutations: options.minhashPermutations),
                                   lsh: try LSHParameters(threshold: options.fuzzyThreshold, permutations: options.minhashPermutations),
                                   reference: setup.reference)
        } catch {
            throw EntropyGuardError(.usage, "\(error)")
        }
    }

    let hasher: MinHasher
    let lsh: LSHParameters
    var reference: ReferenceCorpus?
    /// Threads signing a batch: the machine's two cores (the selection thread runs alongside).
    static let signingThreads = 2
    /// The selector's block: half its default, so the whole default pipeline stays under 300 MB. Its
    /// buffers take ~50 bytes per band per block row; at 262,144 rows the 1M-row run with snapshots
    /// peaked at 301 MB (244 MB without the stage). The price is a merge against earlier blocks' kept
    /// keys that grows with (rows / block)^2, a small part of the selection at 1M.
    static let blockRows = 131_072

    /// The signatures' cache key (shingles, normalisation, permutations, seed) and the selection's
    /// threshold and banding: a change to any of them redoes the stage and the ones after it.
    var settings: String { "\(hasher.cacheKey);threshold=\(lsh.threshold);lsh=\(lsh.bands)x\(lsh.rows);rule=keep-first-verified;v1" + ReferenceCorpus.settings(reference) }

    func run(_ context: StageContext) throws -> StageReport {
        if let appendFrom = context.appendFrom, reference == nil, let report = try appendOnly(context, from: appendFrom) { return report }
        let store = context.store
        let permutations = hasher.permutations
        let setting = try store.signatureSetting(cacheKey: hasher.cacheKey)
        // A store with no signature of this setting (a first run) need not look anything up.
        let cacheHoldsSome = try store.hasStoredSignatures(setting: setting)
        // Filled once, when a batch is not found whole (see schema/tables.sql).
        var lookupByTextReady = false

        // The alive rows in input order (chunks where their parent was), in a file: 8 bytes a row. An
        // append reads again the old rows this stage read (they come first), in the batches it read
        // them in, so their signatures are found whole in the store; it writes the new rows' verdicts only.
        let appendFrom = context.appendFrom ?? 0
        var oldRows = 0
        let rows = try RowIDFile(directory: store.directory)
        try store.forEachDedupKey(partition: 0, of: 1, aliveBefore: context.appendFrom.map { _ in context.stage }) { row, _ in
            try rows.append(row)
            if row < appendFrom { oldRows += 1 }
        }
        try rows.flush()
        if rows.count > 0 { context.progress.info("fuzzy_dedup: \(hasher.setting) shingles, \(lsh)") }

        let selection = try PipelinedSelection(lsh: lsh, temporaryDirectory: store.directory)
        defer { selection.drain() }
        if rows.count > 0, let reference {
            try reference.forEachKeptSignatureBatch(cacheKey: hasher.cacheKey, permutations: permutations,
                                                    progress: context.progress) { ids, signatures in
                _ = try selection.wait()
                selection.submit(signatures, rowIDs: ids)
            }
        }
        var signed = 0
        var reused = 0
        var found = 0
        context.progress.begin(stage: context.stage.name, total: rows.count)
        var start = 0
        while start < rows.count {
            try Interrupt.check()
            let end = min(start + context.options.batchSize, rows.count, start < oldRows ? oldRows : .max)
            let batch = try rows.rows(start..<end)[...]
            let texts = try Self.texts(of: batch, store: store)
            let hashes = texts.map { XXH3.hash128($0).bytes }

            // The batch's signatures in row order: stored whole (a resumed run, another threshold), or
            // looked up text by text and the missing ones computed.
            var values: MinHashSignatures
            var missing: [Int] = []
            var fresh = MinHashSignatures(permutations: permutations)
            if cacheHoldsSome, let stored = try store.storedSignatureBatch(setting: setting, textHashes: hashes, permutations: permutations) {
                values = stored
            } else {
                var cached = MinHashSignatures(permutations: permutations)
                var cachedAt: [Int] = []
                if cacheHoldsSome {
                    if !lookupByTextReady {
                        try store.indexStoredSignatures(setting: setting)
                        lookupByTextReady = true
                    }
                    try store.forEachStoredSignature(setting: setting, textHashes: hashes, permutations: permutations) { index, bytes in
                        try cached.append(bytes: bytes)
                        cachedAt.append(index)
                    }
                }
                var next = 0
                for index in texts.indices {
                    if next < cachedAt.count && cachedAt[next] == index { next += 1 } else { missing.append(index) }
                }
                fresh = hasher.signatures(of: missing.map { texts[$0] }, workers: Self.signingThreads)
                if cachedAt.isEmpty {
                    values = fresh
                } else {
                    values = MinHashSignatures(permutations: permutations)
                    values.reserveCapacity(rows: texts.count)
                    var fromCache = 0
                    var fromFresh = 0
                    for index in texts.indices {
                        if fromCache < cachedAt.count && cachedAt[fromCache] == index {
                            values.append(row: cached[fromCache])
                            fromCache += 1
                        } else {
                            values.append(row: fresh[fromFresh])
                            fromFresh += 1
                        }
                    }
                }
            }
            found += try store.transaction {
                // The signatures computed, as one row (the whole batch unless some came from the store).
                if !missing.isEmpty { try store.storeSignatureBatch(setting: setting, textHashes: missing.map { hashes[$0] }, signatures: fresh) }
                let drops = try selection.wait().filter { $0.row >= appendFrom }
                try store.dropNearDuplicates(drops, by: context.stage, reason: "near_duplicate")
                try store.recordNearMisses(selection.takeNearMisses().filter { $0.row >= appendFrom }, by: context.stage)
                return drops.count
            }
            selection.submit(values, rowIDs: Array(batch))
            signed += missing.count
            reused += texts.count - missing.count
            start = end
            context.progress.update(done: end)
        }
        // The kept rows' band keys, for a later append (not with a reference or chunks: no append then).
        let chunked = try store.hasChunks()
        let endRow = try store.inputRowCount() ?? AppendLookup.fuzzyRowLimit
        let ids = reference == nil && !chunked && endRow < AppendLookup.fuzzyRowLimit ? try rows.rows(0..<rows.count) : nil
        let last = try store.transaction {
            try store.removeAppendLookup(name: context.stage.name)
            var writer: AppendLookup.Writer?
            let last = try selection.finish(keptKeys: ids.map { ids in { runs in
                let made = Self.lookupWriter(runs: runs, context: context, firstRow: 0, endRow: endRow)
                writer = made
                return { run, key, ordinal in try made.append(key: key, row: ids[ordinal], run: run) }
            } }).filter { $0.row >= appendFrom }
            try writer?.finish()
            try store.dropNearDuplicates(last, by: context.stage, reason: "near_duplicate")
            try store.recordNearMisses(selection.takeNearMisses().filter { $0.row >= appendFrom }, by: context.stage)
            return last
        }
        found += last.count
        context.progress.end()
        let statistics = selection.statistics
        return StageReport(notes: ["signatures_computed": signed, "signatures_reused": reused, "near_duplicates": found,
                                   "candidate_pairs": statistics.candidatePairs, "candidates_rejected": statistics.rejectedPairs])
    }

    /// A writer of the stage's segment of `append_lookups` for the rows [firstRow, endRow): the band
    /// keys of the rows it kept (AppendLookup.Layout.fuzzy). Call inside the transaction that removed
    /// the segments it replaces.
    private static func lookupWriter(runs: [Int], context: StageContext, firstRow: Int64, endRow: Int64) -> AppendLookup.Writer {
        AppendLookup.Writer(layout: .fuzzy, runs: runs) { part, parts, bytes in
            try context.store.insertAppendLookupPart(name: context.stage.name, identity: context.configHash, firstRow: firstRow,
                                                     endRow: endRow, part: part, parts: parts, data: bytes)
        }
    }

    /// An append's run when the store holds the band keys of the rows the stage kept (`append_lookups`);
    /// nil (the caller reads every row alive before the stage) when it does not.
    ///
    /// The new rows are signed (or found in the signature cache) a batch at a time, their band keys
    /// looked up: the old kept rows sharing a bucket with a new row, and only they, are signed again
    /// from their texts and given to the selector first, in row order, then the new rows. Its verdicts
    /// on the new rows are a full run's: they were kept in the full run, so none of them is dropped by
    /// an earlier one of them (the rule compares a row only with earlier kept rows, and these are a
    /// subset of those it was compared with); each new row meets every old kept row it shares a bucket
    /// with, at the same place in the order (the old rows have no chunks, so row order is input
    /// order); the new rows then meet each other as in a full run. A 32-bit match that is not a whole
    /// band key adds an old row no new row is compared with. The new kept rows' band keys become a
    /// segment of their own, written with the last drops.
    private func appendOnly(_ context: StageContext, from appendFrom: Int64) throws -> StageReport? {
        let store = context.store
        guard let endRow = try store.inputRowCount(), endRow < AppendLookup.fuzzyRowLimit else { return nil }
        var newRows: [Int64] = []
        try store.forEachDedupKey(partition: 0, of: 1, aliveBefore: context.stage, fromRow: appendFrom) { row, _ in newRows.append(row) }
        let setting = try store.signatureSetting(cacheKey: hasher.cacheKey)
        let cacheHoldsSome = try store.hasStoredSignatures(setting: setting)
        var signed = 0
        /// A batch of new rows' signatures: found whole in the cache (a resumed append), or computed
        /// and stored there as one batch (in a transaction of its own: a cache, valid for any input).
        func signatures(of batch: ArraySlice<Int64>) throws -> MinHashSignatures {
            let texts = try Self.texts(of: batch, store: store)
            let hashes = texts.map { XXH3.hash128($0).bytes }
            if cacheHoldsSome || signed > 0,
               let stored = try store.storedSignatureBatch(setting: setting, textHashes: hashes, permutations: hasher.permutations) {
                return stored
            }
            let fresh = hasher.signatures(of: texts, workers: Self.signingThreads)
            try store.transaction { try store.storeSignatureBatch(setting: setting, textHashes: hashes, signatures: fresh) }
            signed += texts.count
            return fresh
        }
        let batchSize = context.options.batchSize
        func batches(_ rows: [Int64]) -> [ArraySlice<Int64>] {
            stride(from: 0, to: rows.count, by: batchSize).map { rows[$0..<min($0 + batchSize, rows.count)] }
        }

        // 1. The new rows' band keys (their high halves, as stored), then sorted and made distinct.
        // The first batch's signatures are kept for step 3 (one batch in memory): an append of up to a
        // batch of rows then reads its texts and signatures once.
        var wanted: [UInt64] = []
        wanted.reserveCapacity(newRows.count * lsh.bands)
        var firstBatch: MinHashSignatures?
        for (index, batch) in batches(newRows).enumerated() {
            try Interrupt.check()
            let values = try signatures(of: batch)
            if index == 0 { firstBatch = values }
            values.values.withUnsafeBufferPointer { entries in
                for row in 0..<values.count {
                    for band in 0..<lsh.bands {
                        wanted.append(AppendLookup.Layout.fuzzy.stored(lsh.bandKey(entries.baseAddress! + row * hasher.permutations, band: band)))
                    }
                }
            }
        }
        // 2. The old kept rows that share one.
        var candidates: [Int64] = []
        wanted.sort()
        let sortedWanted = wanted.indices.compactMap { $0 == 0 || wanted[$0] != wanted[$0 - 1] ? wanted[$0] : nil }
        guard try sortedWanted.isEmpty
                || store.forEachAppendLookupPart(name: context.stage.name, identity: context.configHash, rowsBefore: appendFrom, { part in
                    try AppendLookup.forEachMatch(in: part, layout: .fuzzy, wanted: sortedWanted) { _, row in candidates.append(row) }
                }) else { return nil }
        let oldRows = Array(Set(candidates)).sorted()
        guard oldRows.last.map({ $0 < appendFrom }) ?? true else {
            throw StoreDamage("append_lookups: fuzzy_dedup's old rows name row \(oldRows.last!), past the old rows")
        }
        if !newRows.isEmpty { context.progress.info("fuzzy_dedup: \(hasher.setting) shingles, \(lsh); \(oldRows.count) old rows share a bucket with a new one") }

        // 3. The selection: those old rows, then the new rows.
        context.progress.begin(stage: context.stage.name, total: newRows.count)
        let selection = try PipelinedSelection(lsh: lsh, temporaryDirectory: store.directory)
        defer { selection.drain() }
        var found = 0
        func submit(_ values: MinHashSignatures, rows: ArraySlice<Int64>) throws {
            found += try store.transaction {
                let drops = try selection.wait().filter { $0.row >= appendFrom }
                try store.dropNearDuplicates(drops, by: context.stage, reason: "near_duplicate")
                try store.recordNearMisses(selection.takeNearMisses().filter { $0.row >= appendFrom }, by: context.stage)
                return drops.count
            }
            selection.submit(values, rowIDs: Array(rows))
        }
        for batch in batches(oldRows) {
            try Interrupt.check()
            try submit(hasher.signatures(of: Self.texts(of: batch, store: store), workers: Self.signingThreads), rows: batch)
        }
        var done = 0
        for (index, batch) in batches(newRows).enumerated() {
            try Interrupt.check()
            try submit(index == 0 ? firstBatch ?? signatures(of: batch) : signatures(of: batch), rows: batch)
            if index == 0 { firstBatch = nil }
            done += batch.count
            context.progress.update(done: done)
        }
        let last = try store.transaction {
            try store.removeAppendLookup(name: context.stage.name, fromRow: appendFrom)
            let chunked = try store.hasChunks()
            // The kept old rows' keys are in the old segments already: only the new ones' go, as one run.
            var kept: [(key: UInt64, row: Int64)] = []
            let last = try selection.finish(keptKeys: chunked ? nil : { _ in { _, key, ordinal in
                if ordinal >= oldRows.count { kept.append((key, newRows[ordinal - oldRows.count])) }
            } }).filter { $0.row >= appendFrom }
            if !chunked {
                kept.sort { ($0.key, $0.row) < ($1.key, $1.row) }
                let writer = Self.lookupWriter(runs: [kept.count], context: context, firstRow: appendFrom, endRow: endRow)
                for entry in kept { try writer.append(key: entry.key, row: entry.row) }
                try writer.finish()
            }
            // New chunks: no later append (InputAppend).
            if chunked { try store.removeAppendLookup(name: context.stage.name) }
            try store.dropNearDuplicates(last, by: context.stage, reason: "near_duplicate")
            try store.recordNearMisses(selection.takeNearMisses().filter { $0.row >= appendFrom }, by: context.stage)
            return last
        }
        found += last.count
        context.progress.end()
        return StageReport(notes: ["signatures_computed": signed, "signatures_reused": newRows.count - signed, "near_duplicates": found,
                                   "old_rows_compared": oldRows.count])
    }

    /// The current texts of `rows`, in that order. The store reads them in row-id order, which is not
    /// input order once chunks were added.
    static func texts(of rows: ArraySlice<Int64>, store: WorkingStore) throws -> [String] {
        let order = rows.indices.sorted { rows[$0] < rows[$1] }
        let sorted = order.map { rows[$0] }
        var texts = [String](repeating: "", count: rows.count)
        var next = 0
        try store.forEachText(ofSortedRows: sorted[...]) { row, bytes in
            guard next < sorted.count, sorted[next] == row else { return }
            texts[order[next] - rows.startIndex] = String(decoding: bytes, as: UTF8.self)
            next += 1
        }
        guard next == sorted.count else {
            throw EntropyGuardError(.ioError, "the working store \(store.path) is damaged: row \(sorted[next]) has no text in row_content")
        }
        return texts
    }
}

/// The selector on a thread of its own, one batch in flight: `submit` hands it a batch, `wait` waits
/// for the batch in flight and returns the drops decided so far. Its result is the selector's, batch
/// after batch in order: the thread changes when, not what.
private final class PipelinedSelection {
    private let selector: FuzzySelector
    private let queue = DispatchQueue(label: "fuzzy-dedup-selection")
    private var inFlight: DispatchWorkItem?
    /// Written by the work item, read after waiting for it.
    private var decided: [FuzzyDrop] = []
    private var missed: [FuzzyDrop] = []
    private var failure: Error?

    init(lsh: LSHParameters, temporaryDirectory: String) throws {
        do {
            selector = try FuzzySelector(lsh: lsh, temporaryDirectory: temporaryDirectory, blockRows: FuzzyDedupStage.blockRows)
            selector.nearMissFloor = lsh.threshold - NearMissWindow.width
        } catch {
            throw EntropyGuardError(.ioError, "fuzzy_dedup: \(error)")
        }
    }

    var statistics: FuzzySelector.Statistics { selector.statistics }

    func submit(_ signatures: MinHashSignatures, rowIDs: [Int64]) {
        precondition(inFlight == nil, "wait for the batch in flight first")
        let item = DispatchWorkItem { [self] in
            do {
                try selector.append(signatures, rowIDs: rowIDs)
                // A reference row is never dropped: it is not the input's.
                decided += selector.takeDrops().filter { !ReferenceRow.isReference($0.row) }
                missed += selector.takeNearMisses().filter { !ReferenceRow.isReference($0.row) }
            } catch {
                failure = error
            }
        }
        inFlight = item
        queue.async(execute: item)
    }

    /// Waits for the batch in flight; returns the drops decided since the last call, in input order.
    func wait() throws -> [FuzzyDrop] {
        drain()
        if let failure { throw EntropyGuardError(.ioError, "fuzzy_dedup: \(failure)") }
        defer { decided = [] }
        return decided
    }

    /// Decides the last rows; returns the drops not yet returned. `keptKeys`: see FuzzySelector.finish.
    func finish(keptKeys: ((_ runs: [Int]) throws -> (_ run: Int, _ key: UInt64, _ ordinal: Int) throws -> Void)? = nil) throws -> [FuzzyDrop] {
        var drops = try wait()
        do {
            drops += try selector.finish(keptKeys: keptKeys).filter { !ReferenceRow.isReference($0.row) }
        } catch let error as EntropyGuardError {
            throw error
        } catch let error as StoreDamage {
            throw error
        } catch {
            throw EntropyGuardError(.ioError, "fuzzy_dedup: \(error)")
        }
        missed += selector.takeNearMisses().filter { !ReferenceRow.isReference($0.row) }
        return drops
    }

    /// The near misses decided with the drops returned so far (call after `wait` or `finish`).
    func takeNearMisses() -> [WorkingStore.NearMiss] {
        defer { missed = [] }
        return missed.map { WorkingStore.NearMiss(row: $0.row, nearestRow: $0.duplicateOf, similarity: $0.similarity) }
    }

    /// Waits for the batch in flight, if any (also when the stage stops on an error).
    func drain() {
        inFlight?.wait()
        inFlight = nil
    }
}
