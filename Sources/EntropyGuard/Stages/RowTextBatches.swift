/// The alive rows' texts, one batch at a time (`WorkingStore.aliveTextBatches`), for a stage that
/// resumes per batch: it starts after the rows an interrupted run of the stage committed
/// (BatchProgress), and `markDone(through:)`, called in the transaction that writes a batch's results,
/// records them. Batches are committed in row order, so the rows below the marker are exactly the ones done.
struct RowTextBatches {
    let store: WorkingStore
    let stage: StageID
    /// Rows an interrupted run of the stage did (not read again); 0 on a fresh start.
    let resumedRows: Int
    private let configHash: String
    private var batches: AliveTextBatches

    /// Starts (or continues) the running stage's pass and its progress line.
    init(context: StageContext) throws {
        store = context.store
        stage = context.stage
        configHash = context.configHash
        let bornAtMost = stage.generation - 1
        // An append's old rows are done already (InputAppend).
        let firstRow = context.appendFrom ?? 0
        guard let progress = try store.batchProgress(of: stage) else {
            resumedRows = 0
            batches = store.aliveTextBatches(before: stage, batchSize: context.options.batchSize, after: firstRow - 1)
            context.progress.begin(stage: stage.name, total: firstRow > 0 ? nil : try store.aliveCount())
            return
        }
        // The pipeline rewinds (and so clears) progress made with other settings; finding some here is our bug.
        guard progress.configHash == configHash else {
            throw EntropyGuardError(.internalError, "\(stage.name): progress of another configuration was not rewound")
        }
        let rows = try store.batchRows(of: stage, bornAtMost: bornAtMost, below: progress.nextRow)
        resumedRows = rows.done
        batches = store.aliveTextBatches(before: stage, batchSize: context.options.batchSize, after: max(progress.nextRow, firstRow) - 1)
        context.progress.info("Resuming \(stage.name) at row \(progress.nextRow) (\(rows.done) of \(rows.total) rows already done)")
        context.progress.begin(stage: stage.name, total: rows.total - rows.done)
    }

    mutating func next() throws -> [(row: Int64, text: String)]? {
        try batches.next()
    }

    /// Records that every row up to `row` (the last of a batch) is done: call in the transaction that
    /// writes the batch's results.
    func markDone(through row: Int64) throws {
        try store.setBatchProgress(BatchProgress(configHash: configHash, nextRow: row + 1), of: stage)
    }
}
