/// A connection of its own, pinned to the store as committed when it was opened: a stage's snapshot is
/// exported from it on a worker thread while the pipeline goes on writing the next stages. In WAL mode
/// the reader and the writer never wait for each other; the reader sees none of the later commits.
/// While it is open the log cannot start over, so it grows by what the pipeline writes meanwhile.
final class SnapshotReader {
    private let database: Database
    /// The store's rows as committed when the reader was opened.
    let rows: RowReader

    /// Opens the connection and starts its read transaction at once (on the caller's thread, before
    /// the pipeline writes anything more).
    init(store: WorkingStore) throws {
        database = try Database(path: store.path)
        try database.execute("BEGIN")
        // A deferred transaction takes its snapshot at its first read.
        _ = try database.scalar("SELECT count(*) FROM checkpoints")
        rows = RowReader(database: database, stages: store.stages)
    }

    deinit { try? database.execute("COMMIT") }
}
