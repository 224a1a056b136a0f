/// Reads the alive rows' current texts in row-id order, one batch at a time (keyset pagination, so
/// no statement stays open while the stage writes).
public struct AliveTextBatches {
    let store: WorkingStore
    let batchSize: Int
    /// Only rows created by this generation or earlier (a stage that adds rows must not read them back).
    let bornAtMost: Int
    private var lastRow: Int64 = -1

    init(store: WorkingStore, batchSize: Int, bornAtMost: Int, after row: Int64) {
        self.store = store
        self.batchSize = batchSize
        self.bornAtMost = bornAtMost
        lastRow = row
    }

    /// The next batch of (row, text), nil after the last one.
    public mutating func next() throws -> [(row: Int64, text: String)]? {
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
}
