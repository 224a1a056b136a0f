/// Cleans every text: HTML (only when the text has a tag), Unicode and whitespace, PII masking.
/// A changed text is stored in row_content.text (the original stays in text_original) and its dedup key
/// and length are recomputed; an unchanged one costs no write. Case is preserved. Each batch commits
/// with its progress (RowTextBatches), so a crash loses at most one batch; the notes count this run's rows.
struct SanitizeStage: PipelineStage {
    let id = StageID.sanitize
    let checkpointsImmediately = true
    let resumesPerBatch = true
    let options: SanitizeOptions

    var settings: String {
        "html=\(options.stripHTML);unicode=\(options.normalizeUnicode);pii=\(options.piiKinds.map(\.rawValue).sorted().joined(separator: ","));v1"
    }

    func run(_ context: StageContext) throws -> StageReport {
        let database = context.store.database
        let updateText = try database.cachedStatement("UPDATE row_content SET text = ? WHERE row_id = ?")
        let updateRow = try database.cachedStatement("UPDATE rows SET dedup_key = ?, text_length = ? WHERE row_id = ?")
        let normalizer = TextNormalizer()
        var batches = try RowTextBatches(stage: id, context: context, bornAtMost: StageID.ingest.generation)
        var notes = ["rows_resumed": batches.resumedRows]
        var done = 0
        while let batch = try batches.next() {
            try Interrupt.check()
            let results = parallelMap(batch) { sanitize($0.text, options: options) }
            try database.transaction {
                for (item, result) in zip(batch, results) where result.changed {
                    try updateText.bind(result.text, at: 1)
                    try updateText.bind(item.row, at: 2)
                    try updateText.runToCompletion()
                    updateText.reset()
                    try updateRow.bind(normalizer.key(result.text), at: 1)
                    try updateRow.bind(TextNormalizer.trimmedLength(result.text), at: 2)
                    try updateRow.bind(item.row, at: 3)
                    try updateRow.runToCompletion()
                    updateRow.reset()
                }
                try batches.markDone(through: batch[batch.count - 1].row)
            }
            for result in results {
                if result.changed { notes["texts_changed", default: 0] += 1 }
                if result.htmlStripped { notes["html_stripped", default: 0] += 1 }
                for (kind, count) in result.piiCounts { notes["pii_\(kind.rawValue)", default: 0] += count }
            }
            done += batch.count
            context.progress.update(done: done)
        }
        context.progress.end()
        return StageReport(notes: notes)
    }
}
