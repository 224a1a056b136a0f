/// The embedding cache: vectors keyed by (model, XXH3-128 of the text), valid for any input, kept when
/// the store is reset. A stored vector is `dimension` float32 (little-endian) followed by its
/// `ChecksummedBlob` checksum keyed by the text hash: a vector is reused without recomputing it, so a
/// flipped byte (which SQLite's checks never see) or a row under another text's hash would silently
/// change semantic decisions. Such a vector counts as damaged: it is embedded again and replaced.
extension WorkingStore {
    /// What the cache holds for a text hash.
    enum StoredEmbedding: Equatable {
        case valid
        case missing
        /// Present but failing its checksum or not `dimension` floats: never used, embedded again.
        case damaged
    }

    /// Whether the cache holds a valid vector for this text hash (reads and checks it).
    func storedEmbedding(model: String, textHash: [UInt8], dimension: Int) throws -> StoredEmbedding {
        let vectorOf = try vectorStatement(model: model, textHash: textHash)
        defer { vectorOf.reset() }
        guard try vectorOf.step() else { return .missing }
        return vectorOf.withBytes(0) { Self.openVector($0, textHash: textHash, dimension: dimension) } == nil ? .damaged : .valid
    }

    /// Adds the vectors (`dimension` floats each, back to back in `vectors`) of the texts with these
    /// hashes, in one transaction. A hash already present gets the new vector: a text is embedded again
    /// only when its stored vector was damaged.
    func storeEmbeddings(model: String, textHashes: [[UInt8]], vectors: [Float], dimension: Int) throws {
        let insert = try database.cachedStatement("INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)")
        var stored: [UInt8] = []
        try database.transaction {
            for (index, hash) in textHashes.enumerated() {
                try insert.bind(model, at: 1)
                try insert.bindBlob(hash, at: 2)
                vectors.withUnsafeBytes { buffer in
                    ChecksummedBlob.seal(UnsafeRawBufferPointer(rebasing: buffer[(index * dimension * 4)..<((index + 1) * dimension * 4)]),
                                         key: hash, into: &stored)
                }
                try insert.bindBlob(stored, at: 3)
                try insert.runToCompletion()
                insert.reset()
            }
        }
    }

    /// Reads the vectors of these text hashes into `vectors` (`dimension` floats each, in the order of
    /// the hashes), in one read transaction (a statement on its own opens and closes one per vector).
    /// Throws StoreDamage when one is missing or fails its check: the stage embedded and checked them all
    /// before reading them back, so the store changed under the run.
    func readEmbeddings(model: String, textHashes: [[UInt8]], dimension: Int, into vectors: UnsafeMutablePointer<Float>) throws {
        try database.transaction {
            try Self.readEmbeddings(database, model: model, textHashes: textHashes, dimension: dimension, into: vectors)
        }
    }

    /// `readEmbeddings`' reads on `database` (the store's connection or an `EmbeddingReader`'s), inside
    /// the caller's transaction.
    static func readEmbeddings(_ database: Database, model: String, textHashes: [[UInt8]], dimension: Int,
                               into vectors: UnsafeMutablePointer<Float>) throws {
        for (index, hash) in textHashes.enumerated() {
            let vectorOf = try vectorStatement(database, model: model, textHash: hash)
            defer { vectorOf.reset() }
            let found = try vectorOf.step() && vectorOf.withBytes(0) { stored in
                guard let vector = openVector(stored, textHash: hash, dimension: dimension) else { return false }
                UnsafeMutableRawPointer(vectors + index * dimension).copyMemory(from: vector.baseAddress!, byteCount: vector.count)
                return true
            }
            guard found else {
                throw StoreDamage("embeddings: the vector of text hash \(ChecksummedBlob.hex(hash)) is missing or fails its checksum")
            }
        }
    }

    private func vectorStatement(model: String, textHash: [UInt8]) throws -> Statement {
        try Self.vectorStatement(database, model: model, textHash: textHash)
    }

    private static func vectorStatement(_ database: Database, model: String, textHash: [UInt8]) throws -> Statement {
        let vectorOf = try database.cachedStatement("SELECT vector FROM embeddings WHERE model = ? AND text_hash = ?")
        try vectorOf.bind(model, at: 1)
        try vectorOf.bindBlob(textHash, at: 2)
        return vectorOf
    }

    /// The vector part of a stored value of the right size whose checksum holds.
    private static func openVector(_ stored: UnsafeRawBufferPointer, textHash: [UInt8], dimension: Int) -> UnsafeRawBufferPointer? {
        guard stored.count == dimension * 4 + ChecksummedBlob.checksumSize else { return nil }
        return ChecksummedBlob.open(stored, key: textHash)
    }
}
