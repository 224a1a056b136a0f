/// What `--reference` reads from a reference's store without changing it (ReferenceCorpus): the
/// kept rows' texts, and which signature settings and embedding models its caches hold.
extension WorkingStore {
    /// The id of the signature setting `cacheKey` when the store has one (never records it).
    func existingSignatureSetting(cacheKey: String) throws -> Int64? {
        try database.scalar("SELECT setting_id FROM minhash_settings WHERE cache_key = ?", [.text(cacheKey)])?.int64
    }

    /// The signature settings the cache holds (for the message when none is this run's).
    func signatureSettings() throws -> [String] {
        try database.rows("SELECT cache_key FROM minhash_settings ORDER BY cache_key", []).compactMap { $0[0].string }
    }

    /// The models the embedding cache holds vectors of (for the message when this run's is not one).
    func embeddingModels() throws -> [String] {
        try database.rows("SELECT DISTINCT model FROM embeddings ORDER BY model", []).compactMap { $0[0].string }
    }

    /// The texts of every alive row, in row-id order, `batchSize` at a time.
    func allAliveTextBatches(batchSize: Int) -> AliveTextBatches {
        AliveTextBatches(store: self, batchSize: batchSize, bornAtMost: Int.max, after: -1)
    }
}
