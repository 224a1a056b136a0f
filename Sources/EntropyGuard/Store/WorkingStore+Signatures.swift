import MinHash

/// The MinHash signature cache (tables `minhash_settings`, `minhash_signatures`, `minhash_lookup`):
/// signatures keyed by (how they were made, XXH3-128 of the text), valid for any input, kept when the
/// store is reset. Signatures are appended batch by batch; the lookup by text is filled in bulk by
/// `indexPendingSignatures` (see schema/tables.sql for why).
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

    /// Enters the signatures committed since the last call (`minhash_pending`, of any setting) into the
    /// lookup by text, sorted by hash so each of the lookup's pages is written once, in one
    /// transaction. A text signed twice keeps its first signature.
    func indexPendingSignatures() throws {
        try database.transaction {
            try database.execute("""
                INSERT OR IGNORE INTO minhash_lookup (setting_id, text_hash, signature_id)
                SELECT setting_id, text_hash, signature_id FROM minhash_pending ORDER BY setting_id, text_hash, signature_id;
                DELETE FROM minhash_pending;
                """)
        }
    }

    /// Whether the lookup holds any signature of the setting (none: a first run need not look each
    /// text up).
    func hasIndexedSignatures(setting: Int64) throws -> Bool {
        try database.scalar("SELECT EXISTS (SELECT 1 FROM minhash_lookup WHERE setting_id = ?)", [.integer(setting)])?.int == 1
    }

    /// Calls `body` with the index in `textHashes` and the stored bytes (valid during the call) of each
    /// text hash the lookup has a signature for, in the order of the hashes. One transaction for the
    /// batch: each statement on its own opened and closed a read transaction (file locks, the WAL
    /// index) per text.
    func forEachStoredSignature(setting: Int64, textHashes: [[UInt8]], _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let signatureOf = try database.cachedStatement("""
            SELECT s.signature FROM minhash_lookup l JOIN minhash_signatures s USING (signature_id)
            WHERE l.setting_id = ? AND l.text_hash = ?
            """)
        defer { signatureOf.reset() }
        // In hash order, so consecutive seeks walk the lookup's pages forward.
        let order = textHashes.indices.sorted { textHashes[$0].lexicographicallyPrecedes(textHashes[$1]) }
        var found: [(index: Int, bytes: [UInt8])] = []
        try database.transaction {
            for index in order {
                try signatureOf.bind(setting, at: 1)
                try signatureOf.bindBlob(textHashes[index], at: 2)
                if try signatureOf.step() { found.append((index, signatureOf.bytes(0))) }
                signatureOf.reset()
            }
        }
        found.sort { $0.index < $1.index }
        for (index, bytes) in found {
            try bytes.withUnsafeBytes { stored in
                let signature = try Self.verifiedSignature(stored, textHash: textHashes[index])
                try body(index, signature)
            }
        }
    }

    /// The signature part of a stored value whose checksum (`ChecksummedBlob`) holds; StoreDamage otherwise:
    /// a signature is reused without recomputing it, so a flipped byte or a lookup row pointing at another
    /// text's signature would silently change fuzzy decisions.
    static func verifiedSignature(_ stored: UnsafeRawBufferPointer, textHash: [UInt8]) throws -> UnsafeRawBufferPointer {
        guard stored.count > ChecksummedBlob.checksumSize else {
            throw StoreDamage("minhash_signatures: a stored signature of \(stored.count) bytes is too short for its checksum")
        }
        guard let signature = ChecksummedBlob.open(stored, key: textHash) else {
            throw StoreDamage("minhash_signatures: the signature stored for text hash \(ChecksummedBlob.hex(textHash)) fails its checksum")
        }
        return signature
    }

    /// Appends the signatures (row i of `signatures` is the text hashed `textHashes[i]`). Call inside
    /// the transaction that commits the batch; `indexPendingSignatures` makes them found by text.
    func storeSignatures(setting: Int64, textHashes: [[UInt8]], signatures: MinHashSignatures) throws {
        precondition(textHashes.count == signatures.count)
        let insert = try database.cachedStatement("INSERT INTO minhash_signatures (setting_id, signature) VALUES (?, ?)")
        let pending = try database.cachedStatement("INSERT INTO minhash_pending (signature_id, setting_id, text_hash) VALUES (last_insert_rowid(), ?, ?)")
        var stored: [UInt8] = []
        for (index, hash) in textHashes.enumerated() {
            try insert.bind(setting, at: 1)
            try signatures.withBytes(row: index) { signature in
                ChecksummedBlob.seal(signature, key: hash, into: &stored)
                try insert.bindBlob(stored, at: 2)
            }
            try insert.runToCompletion()
            insert.reset()
            try pending.bind(setting, at: 1)
            try pending.bindBlob(hash, at: 2)
            try pending.runToCompletion()
            pending.reset()
        }
    }
}
