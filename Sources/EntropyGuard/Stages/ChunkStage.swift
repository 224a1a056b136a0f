/// Splits texts longer than the chunk size into overlapping chunks (Chunker). Each chunk becomes a new
/// row that links to its parent (parent_row, chunk_index) and reuses the parent's record for output; the
/// parent is dropped with reason split_into_chunks. Chunk rows are numbered after all existing rows, in
/// parent order, so the numbering is deterministic. Each batch commits with its progress
/// (RowTextBatches), so a crash loses at most one batch; the notes count this run's rows.
struct ChunkStage: PipelineStage {
    static let definition = StageDefinition(name: "chunk", addsRows: true, checkpointsImmediately: true, resumesPerBatch: true,
                                            usesAllCores: true, optionKeys: ["chunk-size", "chunk-overlap", "separators"]) { setup in
        let options = setup.options
        return options.chunkSize.map {
            ChunkStage(chunker: Chunker(size: $0, overlap: options.chunkOverlap, separators: options.chunkSeparators ?? Chunker.defaultSeparators))
        }
    }

    let chunker: Chunker

    var settings: String {
        "size=\(chunker.size);overlap=\(chunker.overlap);separators=\(chunker.separators.map { $0.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: "+") }.joined(separator: ","));v1"
    }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        let normalizer = TextNormalizer()
        var batches = try RowTextBatches(context: context)
        var split = 0, created = 0, done = 0
        while let batch = try batches.next() {
            try Interrupt.check()
            let pieces = parallelMap(batch) { chunker.chunks(of: $0.text) }
            var splits: [WorkingStore.RowSplit] = []
            for (item, chunks) in zip(batch, pieces) where chunks.count > 1 {
                splits.append(.init(parent: item.row, pieces: chunks.map {
                    .init(text: $0, dedupKey: normalizer.key($0), length: TextNormalizer.trimmedLength($0))
                }))
                split += 1
                created += chunks.count
            }
            try store.transaction {
                // After the input rows and the chunks committed so far (by this run or an interrupted
                // one): the numbers of one uninterrupted run, whatever the batch size.
                var nextRow = try store.nextRowID()
                try store.split(splits, by: context.stage, reason: "split_into_chunks", nextRow: &nextRow)
                try batches.markDone(through: batch[batch.count - 1].row)
            }
            done += batch.count
            context.progress.update(done: done)
        }
        context.progress.end()
        return StageReport(notes: ["rows_split": split, "chunks_created": created, "rows_resumed": batches.resumedRows])
    }
}
