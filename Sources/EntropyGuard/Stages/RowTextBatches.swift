import Foundation

/// Reads the alive rows' current texts in row-id order, one batch at a time (keyset pagination, so
/// no statement stays open while the stage writes), for a stage that resumes per batch: it starts after
/// the rows an interrupted run of the stage committed (BatchProgress), and `markDone(through:)`, called
/// in the transaction that writes a batch's results, records them. Batches are committed in row order,
/// so the rows below the marker are exactly the ones done.
struct RowTextBatches {
    let store: WorkingStore
    let stage: StageID
    let batchSize: Int
    /// Only rows created by this generation or earlier (a stage that adds rows must not read them back).
    let bornAtMost: Int
    /// Rows an interrupted run of the stage did (not read again); 0 on a fresh start.
    let resumedRows: Int
    private let configHash: String
    private var lastRow: Int64 = -1

    /// Starts (or continues) `stage`'s pass and its progress line.
    init(stage: StageID, context: StageContext, bornAtMost: Int) throws {
        guard let configHash = context.configHashes[stage] else {
            throw EntropyGuardError(.internalError, "no config hash for stage \(stage.name)")
        }
        store = context.store
        self.stage = stage
        batchSize = context.options.batchSize
        self.bornAtMost = bornAtMost
        self.configHash = configHash
        guard let progress = try store.batchProgress(of: stage) else {
            resumedRows = 0
            context.progress.begin(stage: stage.name, total: try store.aliveCount())
            return
        }
        // The pipeline rewinds (and so clears) progress made with other settings; finding some here is our bug.
        guard progress.configHash == configHash else {
            throw EntropyGuardError(.internalError, "\(stage.name): progress of another configuration was not rewound")
        }
        let rows = try store.batchRows(of: stage, bornAtMost: bornAtMost, below: progress.nextRow)
        resumedRows = rows.done
        lastRow = progress.nextRow - 1
        context.progress.info("Resuming \(stage.name) at row \(progress.nextRow) (\(rows.done) of \(rows.total) rows already done)")
        context.progress.begin(stage: stage.name, total: rows.total - rows.done)
    }

    mutating func next() throws -> [(row: Int64, text: String)]? {
        let select = try store.database.cachedStatement("""
            SELECT r.row_id, coalesce(c.text, c.text_original) FROM rows r JOIN row_content c USING (row_id)
            WHERE r.dropped_by IS NULL AND r.text_state = 'ok' AND r.born <= ? AND r.row_id > ?
            ORDER BY r.row_id LIMIT ?
            """)
        try select.bind(bornAtMost, at: 1)
        try select.bind(lastRow, at: 2)
        try select.bind(batchSize, at: 3)
        var batch: [(row: Int64, text: String)] = []
        batch.reserveCapacity(batchSize)
        while try select.step() { batch.append((select.int64(0), select.string(1) ?? "")) }
        select.reset()
        guard let last = batch.last else { return nil }
        lastRow = last.row
        return batch
    }

    /// Records that every row up to `row` (the last of a batch) is done: call in the transaction that
    /// writes the batch's results.
    func markDone(through row: Int64) throws {
        try store.setBatchProgress(BatchProgress(configHash: configHash, nextRow: row + 1), of: stage)
    }
}

/// Runs `transform` over `items` on all cores, results in input order (deterministic: each result
/// depends on its item only).
func parallelMap<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, items.count / 64))
    if workers <= 1 { return items.map(transform) }
    var results = [R?](repeating: nil, count: items.count)
    let chunk = (items.count + workers - 1) / workers
    results.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunk
            let end = min(start + chunk, items.count)
            guard start < end else { return }
            for index in start..<end { (base + index).initialize(to: transform(items[index])) }
        }
    }
    return results.map { $0! }
}
