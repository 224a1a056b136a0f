/// A second, read-only connection to a store that reads stored vectors (`WorkingStore.readEmbeddings`'
/// reads and checks) and row texts on another thread while the store's own connection is in use: the
/// semantic stage reads the next batch's vectors with it while the current batch is searched, and the
/// next batch's texts (to embed them) while the current batch's vectors are stored (SemanticDedupStage).
/// WAL mode lets it read the last committed state while the store's connection writes. Use it from one
/// thread at a time, like any connection.
final class EmbeddingReader {
    private let database: Database

    init(store: WorkingStore) throws {
        database = try Database(path: store.path, readOnly: true)
        // The store's page cache size (pragmas.sql), not SQLite's 2 MB default: a vector is found through
        // the embeddings_by_text index in text-hash order, i.e. at random, and with 2 MB each lookup read
        // its 64 KiB index pages again (1M rows: the stage took 84 s instead of main's 72 s, 9 s more
        // system time). The index of 850k vectors is ~47 MB.
        let cacheSize = try store.database.scalar("PRAGMA cache_size")?.int ?? -65_536
        try database.execute("PRAGMA cache_size = \(cacheSize)")
    }

    /// As `WorkingStore.readEmbeddings`: the vectors of these text hashes, in one read transaction;
    /// StoreDamage when one is missing or fails its checksum.
    func readEmbeddings(model: String, textHashes: [[UInt8]], dimension: Int, into vectors: UnsafeMutablePointer<Float>) throws {
        try database.readTransaction {
            try WorkingStore.readEmbeddings(database, model: model, textHashes: textHashes, dimension: dimension, into: vectors)
        }
    }

    /// The current texts of `rows` ("" for a row without one), as `WorkingStore.text(ofRow:)` reads them,
    /// in one read transaction.
    func texts(ofRows rows: ArraySlice<Int64>) throws -> [String] {
        try database.readTransaction {
            try rows.map { row in try WorkingStore.withText(database, ofRow: row) { String(decoding: $0, as: UTF8.self) } }
        }
    }
}
