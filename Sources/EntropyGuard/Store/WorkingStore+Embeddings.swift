/// The embedding cache: float32 vectors keyed by (model, XXH3-128 of the text), valid for any input,
/// kept when the store is reset.
extension WorkingStore {
    /// Whether the cache holds a vector for this text hash.
    func hasEmbedding(model: String, textHash: [UInt8]) throws -> Bool {
        let exists = try database.cachedStatement("SELECT 1 FROM embeddings WHERE model = ? AND text_hash = ?")
        defer { exists.reset() }
        try exists.bind(model, at: 1)
        try exists.bindBlob(textHash, at: 2)
        return try exists.step()
    }

    /// Adds the vectors (`dimension` floats each, back to back in `vectors`) of the texts with these
    /// hashes, in one transaction; a hash already present keeps its vector.
    func storeEmbeddings(model: String, textHashes: [[UInt8]], vectors: [Float], dimension: Int) throws {
        let insert = try database.cachedStatement("INSERT OR IGNORE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)")
        try database.transaction {
            for (index, hash) in textHashes.enumerated() {
                try insert.bind(model, at: 1)
                try insert.bindBlob(hash, at: 2)
                try vectors.withUnsafeBytes { buffer in
                    try insert.bindBlob(UnsafeRawBufferPointer(rebasing: buffer[(index * dimension * 4)..<((index + 1) * dimension * 4)]), at: 3)
                }
                try insert.runToCompletion()
                insert.reset()
            }
        }
    }

    /// Calls `body` with the stored vector's bytes (valid during the call); false when there is none.
    func withEmbedding(model: String, textHash: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool {
        let vectorOf = try database.cachedStatement("SELECT vector FROM embeddings WHERE model = ? AND text_hash = ?")
        defer { vectorOf.reset() }
        try vectorOf.bind(model, at: 1)
        try vectorOf.bindBlob(textHash, at: 2)
        guard try vectorOf.step() else { return false }
        vectorOf.withBytes(0, body)
        return true
    }
}
