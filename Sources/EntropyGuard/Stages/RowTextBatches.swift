import Foundation

/// Reads the alive rows' current texts in row-id order, one batch at a time (keyset pagination, so
/// no statement stays open while the stage writes).
struct RowTextBatches {
    let database: Database
    let batchSize: Int
    /// Only rows created by this generation or earlier (a stage that adds rows must not read them back).
    let bornAtMost: Int
    private var lastRow: Int64 = -1

    init(database: Database, batchSize: Int, bornAtMost: Int) {
        self.database = database
        self.batchSize = batchSize
        self.bornAtMost = bornAtMost
    }

    mutating func next() throws -> [(row: Int64, text: String)]? {
        let select = try database.cachedStatement("""
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
