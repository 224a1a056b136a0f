import CSQLite
import MinHash

/// The MinHash signature cache (tables `minhash_settings`, `minhash_batches`, `minhash_text_lookup`):
/// signatures keyed by (how they were made, XXH3-128 of the text), valid for any input, kept when the
/// store is reset. The stage stores each batch it signs as one row, keyed by its texts' hashes in
/// order, and finds it whole when the same batch comes again (a resumed run, another threshold). A
/// batch it does not find whole is looked up text by text in `minhash_text_lookup`, filled only then
/// (see schema/tables.sql for why).
extension WorkingStore {
    /// The id of the signature setting `cacheKey` (`MinHasher.cacheKey`), recorded on first use.
    func signatureSetting(cacheKey: String) throws -> Int64 {
        try database.run("INSERT OR IGNORE INTO minhash_settings (cache_key) VALUES (?)", [.text(cacheKey)])
        guard let id = try database.scalar("SELECT setting_id FROM minhash_settings WHERE cache_key = ?", [.text(cacheKey)])?.int64 else {
            throw EntropyGuardError(.internalError, "the MinHash setting just recorded is missing from the store")
        }
        return id
    }

    /// How many signatures of the setting the cache holds (a text stored in two batches counts twice).
    func signatureCount(setting: Int64) throws -> Int {
        try database.scalar("SELECT coalesce(sum(row_count), 0) FROM minhash_batches WHERE setting_id = ?", [.integer(setting)])?.int ?? 0
    }

    /// Whether the cache holds any signature of the setting (none: a first run need not look anything up).
    func hasStoredSignatures(setting: Int64) throws -> Bool {
        try database.scalar("SELECT EXISTS (SELECT 1 FROM minhash_batches WHERE setting_id = ?)", [.integer(setting)])?.int == 1
    }

    /// The key of a batch: XXH3-128 of its texts' hashes, concatenated in order.
    static func signatureBatchKey(_ concatenatedHashes: [UInt8]) -> [UInt8] { XXH3.hash128(concatenatedHashes).bytes }

    /// The signatures of a batch stored whole with exactly these text hashes in this order, verified;
    /// nil when there is none. StoreDamage when the stored batch does not hold these texts or a
    /// signature fails its checksum.
    func storedSignatureBatch(setting: Int64, textHashes: [[UInt8]], permutations: Int) throws -> MinHashSignatures? {
        let concatenated = textHashes.flatMap { $0 }
        let select = try database.cachedStatement("""
            SELECT row_count, text_hashes, signatures FROM minhash_batches WHERE setting_id = ? AND batch_key = ?
            """)
        defer { select.reset() }
        try select.bind(setting, at: 1)
        try select.bindBlob(Self.signatureBatchKey(concatenated), at: 2)
        guard try select.step() else { return nil }
        let stride = 4 * permutations + ChecksummedBlob.checksumSize
        guard select.int(0) == textHashes.count, select.withBytes(1, { $0.elementsEqual(concatenated) }) else {
            throw StoreDamage("minhash_batches: a stored batch does not hold the texts its key names")
        }
        return try select.withBytes(2) { stored in
            guard stored.count == textHashes.count * stride else {
                throw StoreDamage("minhash_batches: a stored batch of \(textHashes.count) signatures has \(stored.count) bytes, expected \(textHashes.count * stride)")
            }
            var signatures = MinHashSignatures(permutations: permutations)
            signatures.reserveCapacity(rows: textHashes.count)
            for (index, hash) in textHashes.enumerated() {
                let record = UnsafeRawBufferPointer(rebasing: stored[(index * stride)..<((index + 1) * stride)])
                try signatures.append(bytes: Self.verifiedSignature(record, textHash: hash))
            }
            return signatures
        }
    }

    /// Stores a batch's signatures (row i of `signatures` is the text hashed `textHashes[i]`) as one row
    /// keyed by the hashes in order. Call inside the transaction that commits the batch.
    func storeSignatureBatch(setting: Int64, textHashes: [[UInt8]], signatures: MinHashSignatures) throws {
        precondition(textHashes.count == signatures.count)
        let concatenated = textHashes.flatMap { $0 }
        let stride = 4 * signatures.permutations + ChecksummedBlob.checksumSize
        // Copied into place (appending the bytes row by row went through a byte-at-a-time path).
        var stored = [UInt8](repeating: 0, count: textHashes.count * stride)
        stored.withUnsafeMutableBytes { out in
            for (index, hash) in textHashes.enumerated() {
                signatures.withBytes(row: index) { signature in
                    let record = out.baseAddress! + index * stride
                    record.copyMemory(from: signature.baseAddress!, byteCount: signature.count)
                    record.storeBytes(of: ChecksummedBlob.checksum(signature, key: hash).littleEndian,
                                      toByteOffset: signature.count, as: UInt64.self)
                }
            }
        }
        try database.run("""
            INSERT OR IGNORE INTO minhash_batches (setting_id, batch_key, row_count, text_hashes, signatures) VALUES (?, ?, ?, ?, ?)
            """, [.integer(setting), .blob(Self.signatureBatchKey(concatenated)), .integer(Int64(textHashes.count)), .blob(concatenated), .blob(stored)])
    }

    /// Enters the texts of the setting's stored batches not yet in `minhash_text_lookup`, in one
    /// transaction, sorted by hash a million at a time so that the lookup's pages are written about once
    /// each. A text stored in two batches keeps its first. Called only when a batch is not found whole.
    func indexStoredSignatures(setting: Int64) throws {
        let batches = try database.cachedStatement("SELECT batch_id, text_hashes FROM minhash_batches WHERE setting_id = ? AND indexed = 0 ORDER BY batch_id")
        let insert = try database.cachedStatement("""
            INSERT OR IGNORE INTO minhash_text_lookup (setting_id, text_hash, batch_id, position) VALUES (?, ?, ?, ?)
            """)
        struct Entry { var high: UInt64, low: UInt64, batch: Int64, position: Int32 }
        var entries: [Entry] = []
        func flush() throws {
            entries.sort { ($0.high, $0.low, $0.batch) < ($1.high, $1.low, $1.batch) }
            var hash = [UInt8](repeating: 0, count: 16)
            for entry in entries {
                withUnsafeBytes(of: entry.high.bigEndian) { hash.replaceSubrange(0..<8, with: $0) }
                withUnsafeBytes(of: entry.low.bigEndian) { hash.replaceSubrange(8..<16, with: $0) }
                try insert.bind(setting, at: 1)
                try insert.bindBlob(hash, at: 2)
                try insert.bind(entry.batch, at: 3)
                try insert.bind(Int64(entry.position), at: 4)
                try insert.runToCompletion()
            }
            entries.removeAll(keepingCapacity: true)
        }
        try database.transaction {
            defer { batches.reset() }
            try batches.bind(setting, at: 1)
            while try batches.step() {
                let batch = batches.int64(0)
                try batches.withBytes(1) { hashes in
                    guard hashes.count % 16 == 0 else { throw StoreDamage("minhash_batches: text hashes of \(hashes.count) bytes") }
                    for position in 0..<(hashes.count / 16) {
                        entries.append(Entry(high: UInt64(bigEndian: hashes.loadUnaligned(fromByteOffset: 16 * position, as: UInt64.self)),
                                             low: UInt64(bigEndian: hashes.loadUnaligned(fromByteOffset: 16 * position + 8, as: UInt64.self)),
                                             batch: batch, position: Int32(position)))
                    }
                }
                if entries.count >= 1 << 20 { try flush() }
            }
            try flush()
            try database.run("UPDATE minhash_batches SET indexed = 1 WHERE setting_id = ? AND indexed = 0", [.integer(setting)])
        }
    }

    /// Calls `body` with the index in `textHashes` and the verified signature bytes (valid during the
    /// call) of each text hash `minhash_text_lookup` has a signature for, in the order of the hashes.
    /// Each stored batch is read once per call, only the range of it that holds the wanted signatures
    /// (incremental BLOB I/O: a batch is ~5 MB).
    func forEachStoredSignature(setting: Int64, textHashes: [[UInt8]], permutations: Int,
                                _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let locate = try database.cachedStatement("SELECT batch_id, position FROM minhash_text_lookup WHERE setting_id = ? AND text_hash = ?")
        defer { locate.reset() }
        // In hash order, so consecutive seeks walk the lookup's pages forward.
        let order = textHashes.indices.sorted { textHashes[$0].lexicographicallyPrecedes(textHashes[$1]) }
        var found: [(batch: Int64, position: Int, index: Int)] = []
        let stride = 4 * permutations + ChecksummedBlob.checksumSize
        var signatures: [(index: Int, bytes: [UInt8])] = []
        try database.transaction {
            for index in order {
                try locate.bind(setting, at: 1)
                try locate.bindBlob(textHashes[index], at: 2)
                if try locate.step() { found.append((locate.int64(0), locate.int(1), index)) }
                locate.reset()
            }
            found.sort { ($0.batch, $0.position) < ($1.batch, $1.position) }
            var start = 0
            while start < found.count {
                var end = start
                while end < found.count && found[end].batch == found[start].batch { end += 1 }
                let first = found[start].position, last = found[end - 1].position
                let range = try database.readBlob(table: "minhash_batches", column: "signatures", row: found[start].batch,
                                                  offset: first * stride, count: (last - first + 1) * stride)
                for entry in found[start..<end] {
                    let offset = (entry.position - first) * stride
                    signatures.append((entry.index, Array(range[offset..<(offset + stride)])))
                }
                start = end
            }
        }
        signatures.sort { $0.index < $1.index }
        for (index, bytes) in signatures {
            try bytes.withUnsafeBytes { stored in
                try body(index, Self.verifiedSignature(stored, textHash: textHashes[index]))
            }
        }
    }

    /// The signature part of a stored value whose checksum (`ChecksummedBlob`) holds; StoreDamage otherwise:
    /// a signature is reused without recomputing it, so a flipped byte or a lookup row pointing at another
    /// text's signature would silently change fuzzy decisions.
    static func verifiedSignature(_ stored: UnsafeRawBufferPointer, textHash: [UInt8]) throws -> UnsafeRawBufferPointer {
        guard stored.count > ChecksummedBlob.checksumSize else {
            throw StoreDamage("minhash_batches: a stored signature of \(stored.count) bytes is too short for its checksum")
        }
        guard let signature = ChecksummedBlob.open(stored, key: textHash) else {
            throw StoreDamage("minhash_batches: the signature stored for text hash \(ChecksummedBlob.hex(textHash)) fails its checksum")
        }
        return signature
    }
}
