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

    var settings: String { "model=\(modelIdentity);threshold=\(threshold);search=\(searchMode.rawValue);v1" + ReferenceCorpus.settings(reference) }

    func run(_ context: StageContext) throws -> StageReport {
        let embedder = try EmbeddingModelChoice.load(modelName)
        let model = modelIdentity
        let (rows, hashes, embedded, cached) = try embedMissing(context, embedder: embedder, model: model)
        // The reference's kept rows come first: positions 0..<referenceCount of the selection.
        var ids: [Int64] = [], referenceHashes: [[UInt8]] = []
        if let reference, !rows.isEmpty {
            try reference.forEachKeptBatch(batchSize: 16_384) { ids += $0; referenceHashes += $1 }
        }
        let matches = try select(context, rows: ids + rows, hashes: referenceHashes + hashes, referenceCount: ids.count,
                                 dimension: embedder.dimension, model: model)
        return StageReport(notes: ["embedded": embedded, "embeddings_reused": cached, "semantic_duplicates": matches])
    }

    /// Embeds what the store lacks. Returns the alive rows in input order with their text hashes.
    ///
    /// Reads and writes are kept apart so no statement stays open across a commit (an open read would
    /// pin the WAL and stop checkpoints): one read-only pass lists the rows, their text hashes and the
    /// rows whose text has no vector yet; then those texts are fetched, embedded and committed in
    /// batches of `embedCommitSize`.
    private func embedMissing(_ context: StageContext, embedder: any TextEmbedder, model: String)
        throws -> (rows: [Int64], hashes: [[UInt8]], embedded: Int, cached: Int) {
        let store = context.store
        var rows: [Int64] = []
        var hashes: [[UInt8]] = []
        var missingRows: [Int64] = []
        var missingSeen = Set<[UInt8]>()
        try store.forEachAliveText { row, text in
            let hash = XXH3.hash128(text).bytes
            rows.append(row)
            hashes.append(hash)
            if missingSeen.contains(hash) { return }
            if try !store.hasEmbedding(model: model, textHash: hash) {
                missingRows.append(row)
                missingSeen.insert(hash)
            }
        }

        let dimension = embedder.dimension
        missingRows.sort()   // row_id order: the text lookups walk the table forward
        context.progress.begin(stage: "embed", total: missingRows.count)
        var embedded = 0
        var start = 0
        while start < missingRows.count {
            try Interrupt.check()
            let end = min(start + Self.embedCommitSize(embedder), missingRows.count)
            let texts = try missingRows[start..<end].map { try store.text(ofRow: $0) }
            let vectors = embedder.embed(texts, batchSize: Self.forwardBatchSize)
            try store.storeEmbeddings(model: model, textHashes: texts.map { XXH3.hash128($0).bytes }, vectors: vectors, dimension: dimension)
            embedded += texts.count
            start = end
            context.progress.update(done: embedded)
        }
        context.progress.end()
        return (rows, hashes, embedded, rows.count - embedded)
    }

    /// Greedy keep-first selection over the stored vectors, in input order.
    private func select(_ context: StageContext, rows: [Int64], hashes: [[UInt8]], referenceCount: Int, dimension: Int,
                        model: String) throws -> Int {
        let store = context.store
        func loadVectors(_ positions: [Int]) throws -> [Float] {
            var result = [Float](repeating: 0, count: positions.count * dimension)
            for (index, position) in positions.enumerated() {
                if position < referenceCount, let reference {
                    try result.withUnsafeMutableBytes { out in
                        try reference.copyEmbedding(model: model, textHash: hashes[position], id: rows[position], dimension: dimension,
                                                    into: UnsafeMutableRawBufferPointer(rebasing: out[(index * dimension * 4)..<((index + 1) * dimension * 4)]))
                    }
                    continue
                }
                var sized = true
                let found = try store.withEmbedding(model: model, textHash: hashes[position]) { bytes in
                    sized = bytes.count == dimension * 4
                    guard sized else { return }
                    result.withUnsafeMutableBytes { out in
                        out.baseAddress!.advanced(by: index * dimension * 4).copyMemory(from: bytes.baseAddress!, byteCount: dimension * 4)
                    }
                }
                guard found else {
                    throw EntropyGuardError(.internalError, "embedding of row \(rows[position]) is missing from the store")
                }
                guard sized else {
                    throw EntropyGuardError(.internalError, "embedding of row \(rows[position]) in the store is not \(dimension) floats")
                }
            }
            return result
        }

        var selector = SemanticSelector(dimension: dimension, threshold: Float(threshold), mode: searchMode, expectedCount: rows.count,
                                        nearMissFloor: Float(threshold - NearMissWindow.width))
        if selector.needsTraining {
            let sample = SemanticSelector.trainingSampleRows(total: rows.count)
            selector.train(sample: try loadVectors(sample))
        }
        var found = 0
        let batch = 16_384   // IVF multiplies whole batches against the lists: small batches waste it
        context.progress.begin(stage: context.stage.name, total: rows.count)
        var start = 0
        while start < rows.count {
            try Interrupt.check()
            // A batch is the reference's rows or the input's, never both.
            let end = min(start + batch, rows.count, start < referenceCount ? referenceCount : .max)
            let positions = Array(start..<end)
            // Positions (input order) are the selector's ids; they map back to row ids.
            if end <= referenceCount {
                // The reference's kept rows are filed as kept, never decided (or dropped).
                selector.addKept(ids: positions.map(Int64.init), vectors: try loadVectors(positions))
                start = end
                context.progress.update(done: end)
                continue
            }
            let matches = selector.process(ids: positions.map(Int64.init), vectors: try loadVectors(positions))
            let nearMisses = selector.takeNearMisses().map {
                WorkingStore.NearMiss(row: rows[Int($0.row)], nearestRow: rows[Int($0.duplicateOf)], similarity: Double($0.similarity))
            }
            try store.transaction {
                try store.recordNearMisses(nearMisses, by: context.stage)
                for match in matches {
                    try store.drop(row: rows[Int(match.row)], by: context.stage, reason: "semantic_duplicate",
                                           duplicateOf: rows[Int(match.duplicateOf)], similarity: Double(match.similarity))
                }
            }
            found += matches.count
            start = end
            context.progress.update(done: end)
        }
        context.progress.end()
        return found
    }
}
