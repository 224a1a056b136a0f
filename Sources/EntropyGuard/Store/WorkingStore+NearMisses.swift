/// The dedup stages' near misses (table near_misses): the best score of each kept row that came close
/// to the threshold. A stage writes them in the transaction that writes the same batch's drops.
extension WorkingStore {
    /// A kept row's best similarity to an earlier kept row.
    struct NearMiss {
        var row: Int64
        var nearestRow: Int64
        var similarity: Double
    }

    /// Records `misses` for `stage` (a row recorded again, by a stage redone without a rewind, is replaced).
    func recordNearMisses(_ misses: [NearMiss], by stage: StageID) throws {
        guard !misses.isEmpty else { return }
        let statement = try database.cachedStatement("""
            INSERT OR REPLACE INTO near_misses (generation, row_id, nearest_row, similarity) VALUES (?, ?, ?, ?)
            """)
        for miss in misses {
            try statement.bind(Int64(stage.generation), at: 1)
            try statement.bind(miss.row, at: 2)
            try statement.bind(miss.nearestRow, at: 3)
            try statement.bind(miss.similarity, at: 4)
            try statement.runToCompletion()
        }
    }
}
