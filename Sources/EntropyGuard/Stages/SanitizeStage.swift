/// Cleans every text: HTML (only when the text has a tag), Unicode and whitespace, PII masking.
/// A changed text is stored in sanitized_text with its dedup key and length (the original stays in
/// row_content.text_original; the rows take the key and length at the checkpoint); an unchanged one
/// costs no write. Case is preserved. Each batch commits
/// with its progress (RowTextBatches), so a crash loses at most one batch; the notes count this run's rows.
struct SanitizeStage: PipelineStage {
    static let definition = StageDefinition(name: "sanitize", rewritesTexts: true, checkpointsImmediately: true, resumesPerBatch: true,
                                            usesAllCores: true, optionKeys: ["no-sanitize", "no-pii", "pii"]) { setup in
        let options = setup.options
        guard options.sanitize else { return nil }
        return SanitizeStage(options: SanitizeOptions(stripHTML: options.stripHTML, normalizeUnicode: true,
                                                      piiKinds: Set(options.piiKinds)))
    }

    let options: SanitizeOptions

    var settings: String {
        "html=\(options.stripHTML);unicode=\(options.normalizeUnicode);pii=\(options.piiKinds.map(\.rawValue).sorted().joined(separator: ","));v1"
    }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        let normalizer = TextNormalizer()
        var batches = try RowTextBatches(context: context)
        var notes = ["rows_resumed": batches.resumedRows]
        var done = 0
        while let batch = try batches.next() {
            try Interrupt.check()
            let results = parallelMap(batch) { sanitize($0.text, options: options) }
            var changes: [(row: Int64, new: WorkingStore.NewText)] = []
            for (item, result) in zip(batch, results) where result.changed {
                changes.append((item.row, .init(text: result.text, dedupKey: normalizer.key(result.text),
                                                length: TextNormalizer.trimmedLength(result.text))))
            }
            // The batch's texts and its progress in one transaction.
            try store.transaction {
                try store.addSanitizedTexts(changes)
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
