import MinHash

/// The MinHash signature cache (tables `minhash_settings` and `minhash_signatures`): signatures keyed
/// by (how they were made, XXH3-128 of the text), valid for any input, kept when the store is reset.
extension WorkingStore {
    /// The id of the signature setting `cacheKey` (`MinHasher.cacheKey`), recorded on first use.
    func signatureSetting(cacheKey: String) throws -> Int64 {
        try database.run("INSERT OR IGNORE INTO minhash_settings (cache_key) VALUES (?)", [.text(cacheKey)])
        guard let id = try database.scalar("SELECT setting_id FROM minhash_settings WHERE cache_key = ?", [.text(cacheKey)])?.int64 else {
            throw EntropyGuardError(.internalError, "the MinHash setting just recorded is missing from the store")
        }
        return id
    }

    /// How many signatures of the setting the cache holds.
    func signatureCount(setting: Int64) throws -> Int {
        try database.scalar("SELECT count(*) FROM minhash_signatures WHERE setting_id = ?", [.integer(setting)])?.int ?? 0
    }

    /// Calls `body` with the index in `textHashes` and the stored bytes (valid during the call) of each
    /// text hash the cache has a signature for.
    func forEachStoredSignature(setting: Int64, textHashes: [[UInt8]], _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let signatureOf = try database.cachedStatement("SELECT signature FROM minhash_signatures WHERE setting_id = ? AND text_hash = ?")
        defer { signatureOf.reset() }
        for (index, hash) in textHashes.enumerated() {
            try signatureOf.bind(setting, at: 1)
            try signatureOf.bindBlob(hash, at: 2)
            if try signatureOf.step() { try signatureOf.withBytes(0) { try body(index, $0) } }
            signatureOf.reset()
        }
    }

    /// Adds the signatures (row i of `signatures` is the text hashed `textHashes[i]`); a hash already
    /// present keeps its signature. Call inside the transaction that commits the batch.
    func storeSignatures(setting: Int64, textHashes: [[UInt8]], signatures: MinHashSignatures) throws {
        precondition(textHashes.count == signatures.count)
        let insert = try database.cachedStatement("INSERT OR IGNORE INTO minhash_signatures (setting_id, text_hash, signature) VALUES (?, ?, ?)")
        for (index, hash) in textHashes.enumerated() {
            try insert.bind(setting, at: 1)
            try insert.bindBlob(hash, at: 2)
            try insert.bindBlob(signatures.bytes(row: index), at: 3)
            try insert.runToCompletion()
            insert.reset()
        }
    }
}
