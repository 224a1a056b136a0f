import Foundation
import MiniLM

/// Semantic dedup: a row whose embedding has cosine >= threshold with an earlier *kept* row is dropped
/// (semantic_duplicate, duplicate_of = the most similar earlier kept row, with the similarity).
///
/// Two phases. Embedding: the alive rows' texts (as the earlier stages left them) are embedded in
/// batches, each batch committed to `embeddings` keyed by (model, XXH3-128 of the text), so a crash
/// loses at most one batch, identical texts are embedded once, and a re-run with another threshold
/// embeds nothing. Selection: SemanticSelector (exact or IVF search) over the stored vectors in input
/// order; its result does not depend on batch size or thread count.
///
/// With a reference (`--reference`), the selection starts with the reference's kept rows (their stored
/// vectors, as `ReferenceRow` ids), filed as kept without being decided again (`addKept`), so they
/// absorb the input's duplicates as earlier kept rows.
struct SemanticDedupStage: PipelineStage {
    static let definition = StageDefinition(name: "semantic_dedup", checkpointsImmediately: true, removesDuplicates: true,
                                            optionKeys: ["no-semantic-dedup", "dedup-threshold", "model-name", "search"]) { setup in
        let options = setup.options
        guard options.semanticDedup else { return nil }
        return SemanticDedupStage(modelName: options.modelName,
                                  threshold: options.dedupThreshold ?? EmbeddingModelChoice.defaultThreshold(options.modelName),
                                  searchMode: options.searchMode, reference: setup.reference)
    }

    let modelName: String
    let threshold: Double
    let searchMode: SemanticSearchMode
    var reference: ReferenceCorpus?
    /// Rows embedded and committed per transaction: 512 take MiniLM ~2 s; a static model embeds
    /// 16,384 in about a second and needs that many to keep both cores busy (it splits a call into
    /// tasks of 512 texts).
    static func embedCommitSize(_ embedder: any TextEmbedder) -> Int { embedder is StaticEmbedder ? 16_384 : 512 }
    /// Texts per forward pass. Fixed, not an option: on OpenBLAS's Haswell kernels a text's vector
    /// depends (by up to 2.4e-7) on the size of the batch it is embedded in, and output must not
    /// depend on settings outside the config hash.
    static let forwardBatchSize = 32

    /// The model as resolved now (``EmbeddingModelChoice/identity(_:)``).
    var modelIdentity: String { EmbeddingModelChoice.identity(modelName) }

    /// With a reference, `reference-index=v1`: its IVF centroids come from its kept rows alone when it is
    /// at least as large as the input (`ReferenceSemanticIndex`), so checkpoints made before are redone.
    var settings: String {
        "model=\(modelIdentity);threshold=\(threshold);search=\(searchMode.rawValue);v1" + ReferenceCorpus.settings(reference)
            + (reference == nil ? "" : ";reference-index=v1")
    }

    /// An append decides the new rows alone only with the exact search: IVF's centroids and lists
    /// depend on all the rows, so its verdicts on the old rows can change (InputAppend).
    func canAppend(_ context: StageContext) throws -> Bool {
        guard reference == nil else { return false }
        let count = try context.store.textRowCount(aliveBefore: context.stage)
        return SemanticSelector.resolvedMode(searchMode, expectedCount: count) == .exact
    }

    func run(_ context: StageContext) throws -> StageReport {
        let embedder = try EmbeddingModelChoice.load(modelName)
        let model = modelIdentity
        let embedding = try embedMissing(context, embedder: embedder, model: model)
        let matches = try select(context, embedding: embedding, dimension: embedder.dimension, model: model)
        var notes = ["embedded": embedding.embedded, "embeddings_reused": embedding.rows.count - embedding.embedded,
                     "semantic_duplicates": matches]
        if embedding.damaged > 0 {
            notes["embeddings_damaged"] = embedding.damaged
            context.progress.warn("\(embedding.damaged) stored embeddings failed their checksum and were computed again")
        }
        return StageReport(notes: notes)
    }

    /// The alive rows in input order with their text hashes (16 bytes each, back to back: one array
    /// of 875k 16-byte arrays held 50 MB more at 1M rows).
    private struct EmbeddedRows {
        var rows: [Int64] = []
        var hashes = TextHashes()
        var embedded = 0
        /// Stored vectors that failed their checksum (or size) and were embedded again.
        var damaged = 0
    }

    /// Embeds what the store lacks, and what it holds damaged.
    ///
    /// Reads and writes are kept apart so no statement stays open across a commit (an open read would
    /// pin the WAL and stop checkpoints): one read-only pass lists the rows, their text hashes and the
    /// rows whose text has no valid vector yet (each stored one is read and its checksum checked); then
    /// those texts are fetched, embedded and committed in batches of `embedCommitSize`.
    private func embedMissing(_ context: StageContext, embedder: any TextEmbedder, model: String) throws -> EmbeddedRows {
        let store = context.store
        let dimension = embedder.dimension
        var result = EmbeddedRows()
        var missingRows: [Int64] = []
        var missingSeen = Set<[UInt8]>()
        // An append reads again the old rows this stage read (InputAppend).
        try store.forEachAliveText(aliveBefore: context.appendFrom.map { _ in context.stage }) { row, text in
            let hash = XXH3.hash128(text).bytes
            result.rows.append(row)
            result.hashes.append(hash)
            if missingSeen.contains(hash) { return }
            let stored = try store.storedEmbedding(model: model, textHash: hash, dimension: dimension)
            if stored != .valid {
                missingRows.append(row)
                missingSeen.insert(hash)
                if stored == .damaged { result.damaged += 1 }
            }
        }

        missingRows.sort()   // row_id order: the text lookups walk the table forward
        context.progress.begin(stage: "embed", total: missingRows.count)
        // Batch N+1's texts are read (on a second connection) and embedded on a worker while batch N's
        // vectors are stored on this thread: storing (SQLite inserts of ~1 KB blobs, WAL writes) runs
        // on one core and was a third of this phase (1M rows, static model: store 9.4 CPU-s, texts 3.2,
        // embedding 7.9 on both cores). The same texts are embedded in the same calls and stored in the
        // same order, so the vectors and the store are the same.
        let reader = try EmbeddingReader(store: store)
        let lookahead = Lookahead<(hashes: [[UInt8]], vectors: [Float])>(label: "entropyguard.semantic.embed")
        defer { lookahead.drain() }
        let commitSize = Self.embedCommitSize(embedder)
        func embedAhead(from start: Int) {
            guard start < missingRows.count else { return }
            let rows = missingRows[start..<min(start + commitSize, missingRows.count)]
            lookahead.start {
                let texts = try reader.texts(ofRows: rows)
                let vectors = embedder.embed(texts, batchSize: Self.forwardBatchSize)
                return (texts.map { XXH3.hash128($0).bytes }, vectors)
            }
        }
        embedAhead(from: 0)
        var start = 0
        while start < missingRows.count {
            try Interrupt.check()
            let end = min(start + commitSize, missingRows.count)
            let (hashes, vectors) = try lookahead.wait()
            embedAhead(from: end)
            try store.storeEmbeddings(model: model, textHashes: hashes, vectors: vectors, dimension: dimension)
            result.embedded += hashes.count
            start = end
            context.progress.update(done: result.embedded)
        }
        context.progress.end()
        return result
    }

    /// Greedy keep-first selection over the stored vectors, in input order. The vectors are read back
    /// from the store a batch at a time; the selector keeps a compact copy of the kept ones and reads
    /// back the exact vectors of the few candidates it must check (`KeptVectorSource`).
    /// With a reference, positions below `referenceCount` are its kept rows (vectors from its store).
    /// When the search is IVF and the reference at least as large as the input, they come filed from
    /// the reference's persisted index (`ReferenceSemanticIndex`, built by the first run against it);
    /// otherwise they are filed here (`addKept`), with centroids trained on the reference and the input.
    private func select(_ context: StageContext, embedding: EmbeddedRows, dimension: Int, model: String) throws -> Int {
        let store = context.store
        let alive = embedding.rows.count
        var selector = SemanticSelector(dimension: dimension, threshold: Float(threshold), mode: searchMode,
                                        expectedCount: alive + (alive > 0 ? reference?.keptCount ?? 0 : 0),
                                        nearMissFloor: Float(threshold - NearMissWindow.width))
        // The reference's kept rows come first: positions 0..<referenceCount of the selection.
        var rows: [Int64] = [], hashes = TextHashes()
        var referenceFiled = false
        if let reference, alive > 0 {
            if selector.mode == .ivf && reference.keptCount >= alive {
                let index = try ReferenceSemanticIndex.fill(&selector, reference: reference, model: model, progress: context.progress)
                rows = index.ids
                hashes = TextHashes(bytes: index.hashes)
                referenceFiled = true
            } else {
                try reference.forEachKeptBatch(batchSize: 16_384) { batchIDs, batchHashes in
                    rows += batchIDs
                    for hash in batchHashes { hashes.append(hash) }
                }
            }
        }
        let referenceCount = rows.count
        rows += embedding.rows
        hashes = hashes + embedding.hashes

        // Reads the vectors at these positions (ascending, as the selector and the batches give them):
        // the reference's from its store, the input's from the run's, each part in one read.
        func loadVectors(_ positions: [Int]) throws -> [Float] {
            try [Float](unsafeUninitializedCapacity: positions.count * dimension) { out, count in
                count = 0
                let split = positions.firstIndex { $0 >= referenceCount } ?? positions.count
                precondition(positions[split...].allSatisfy { $0 >= referenceCount }, "positions ascending")
                if split > 0, let reference {
                    try reference.readEmbeddings(model: model, textHashes: positions[..<split].map { hashes[$0] },
                                                 ids: positions[..<split].map { rows[$0] }, dimension: dimension, into: out.baseAddress!)
                }
                if split < positions.count {
                    try store.readEmbeddings(model: model, textHashes: positions[split...].map { hashes[$0] }, dimension: dimension,
                                             into: out.baseAddress! + split * dimension)
                }
                count = positions.count * dimension
            }
        }

        if selector.needsTraining {
            let sample = SemanticSelector.trainingSampleRows(total: rows.count)
            selector.train(sample: try loadVectors(sample))
        }
        var found = 0
        let batch = 32_768   // IVF multiplies whole batches against the lists (NearDuplicateIndex.chunkRows)
        // A batch is the reference's rows or the input's, never both.
        func batchEnd(_ start: Int) -> Int { min(start + batch, rows.count, start < referenceCount ? referenceCount : .max) }
        // The next input batch's vectors are read (and their checksums checked) on a second connection
        // while this one is searched: on the main thread those reads were a quarter of the selection's
        // CPU (pread copies, index seeks, memmove). Its reads are the same as `loadVectors`', so the
        // decisions are too; a reference's vectors are read on the main thread only (their store has one
        // connection). One batch ahead: 32 MB more, plus the reader's page cache (peak RSS 0.87 GB vs
        // 0.79 GB). Measured on rows_1000000.jsonl (850k rows reach the stage), interleaved with main's
        // binary under load 3: stage 71.4 s vs 75.5 s (medians of 3 and 4), CPU 70.7 s vs 76.3 s.
        let reader = try EmbeddingReader(store: store)
        let lookahead = Lookahead<[Float]>(label: "entropyguard.semantic.read")
        defer { lookahead.drain() }
        var readingAhead: Int?   // the start of the batch being read ahead
        func readAhead(from start: Int) {
            guard start < rows.count, start >= referenceCount else { return }
            let batchHashes = (start..<batchEnd(start)).map { hashes[$0] }
            lookahead.start {
                try [Float](unsafeUninitializedCapacity: batchHashes.count * dimension) { out, count in
                    try reader.readEmbeddings(model: model, textHashes: batchHashes, dimension: dimension, into: out.baseAddress!)
                    count = batchHashes.count * dimension
                }
            }
            readingAhead = start
        }
        context.progress.begin(stage: context.stage.name, total: rows.count)
        var start = referenceFiled ? referenceCount : 0
        while start < rows.count {
            try Interrupt.check()
            let end = batchEnd(start)
            let positions = Array(start..<end)
            // Positions (input order) are the selector's ids; they map back to row ids.
            if end <= referenceCount {
                // The reference's kept rows are filed as kept, never decided (or dropped).
                selector.addKept(ids: positions.map(Int64.init), vectors: try loadVectors(positions))
                start = end
                context.progress.update(done: end)
                continue
            }
            let vectors: [Float]
            if readingAhead == start {
                vectors = try lookahead.wait()
                readingAhead = nil
            } else {
                vectors = try loadVectors(positions)
            }
            readAhead(from: end)
            let matches = try selector.process(ids: positions.map(Int64.init), vectors: vectors) { kept in
                try loadVectors(kept.map { Int($0) })
            }
            // An append writes the new rows' verdicts only: the old rows' stand.
            let appendFrom = context.appendFrom ?? 0
            let nearMisses = selector.takeNearMisses().filter { rows[Int($0.row)] >= appendFrom }.map {
                WorkingStore.NearMiss(row: rows[Int($0.row)], nearestRow: rows[Int($0.duplicateOf)], similarity: Double($0.similarity))
            }
            let newMatches = matches.filter { rows[Int($0.row)] >= appendFrom }
            try store.transaction {
                try store.recordNearMisses(nearMisses, by: context.stage)
                for match in newMatches {
                    try store.drop(row: rows[Int(match.row)], by: context.stage, reason: "semantic_duplicate",
                                           duplicateOf: rows[Int(match.duplicateOf)], similarity: Double(match.similarity))
                }
            }
            found += newMatches.count
            start = end
            context.progress.update(done: end)
        }
        context.progress.end()
        return found
    }
}

/// XXH3-128 text hashes, 16 bytes each, back to back.
private struct TextHashes {
    private var bytes: [UInt8] = []

    init() {}

    /// From hashes back to back.
    init(bytes: [UInt8]) {
        precondition(bytes.count % 16 == 0, "XXH3-128 hashes are 16 bytes")
        self.bytes = bytes
    }

    mutating func append(_ hash: [UInt8]) {
        precondition(hash.count == 16, "an XXH3-128 hash is 16 bytes")
        bytes.append(contentsOf: hash)
    }

    subscript(position: Int) -> [UInt8] { Array(bytes[(position * 16)..<((position + 1) * 16)]) }

    static func + (first: TextHashes, second: TextHashes) -> TextHashes {
        var joined = first
        joined.bytes += second.bytes
        return joined
    }
}
