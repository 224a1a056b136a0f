import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite working store of one checkpoint directory: `<dir>/entropyguard.sqlite`.
/// Rows are ingested once; each stage moves its survivors' `generation` forward and records a checkpoint.
///
/// The rest of the program calls the named operations here and in the `WorkingStore+*.swift` files;
/// the SQL is written in `Store/` and `schema/` only. Opening a store records the stage list it is
/// made with (table `stages`) and creates the stage views from the registry.
public final class WorkingStore {
    public static let fileName = "entropyguard.sqlite"

    /// What opening does with a store made with another stage list, whose generations mean other stages.
    public enum OtherStageList: Sendable {
        /// Empty it (rows, checkpoints, progress; embeddings stay) and record the new list.
        case reset
        /// Throw, leaving it as it is (for commands that only read the store).
        case refuse
    }

    /// A store found made with another stage list, and reset.
    public struct StageListChange: Sendable {
        public let previous: [String]
        public let current: [String]
        public let directory: String

        /// One line for the user.
        public var notice: String {
            "the store in \(directory) was made with other stages (\(previous.joined(separator: ", "))) than this run's "
                + "(\(current.joined(separator: ", "))), so its generations mean other stages: it was reset"
        }
    }

    public let directory: String
    /// The stage list the store is made with.
    public let stages: StageRegistry
    let database: Database
    private let checkpointer: WALCheckpointer
    /// Set when opening reset a store made with another stage list.
    public private(set) var stageListChange: StageListChange?

    public var path: String { Self.path(in: directory) }

    /// Opens the store of `directory`, creating it when there is none, and records its stage list or
    /// checks it against `stages` (a store made with another list is reset or refused). Throws
    /// StoreDamage when the file is not a whole SQLite database (see StoreFileHeader); SQLite's own
    /// SQLITE_CORRUPT and SQLITE_NOTADB, here or later, are damage too (StoreDamage.init?(_:)).
    public init(directory: String, stages: StageRegistry = .standard, ifStagesDiffer: OtherStageList = .refuse) throws {
        self.directory = directory
        self.stages = stages
        try DirectoryCreation.create(directory, role: "checkpoint directory")
        let path = Self.path(in: directory)
        if let problem = StoreFileHeader.problem(databasePath: path) { throw StoreDamage(problem) }
        database = try Database(path: path)
        try database.execute(SchemaSQL.pragmas)
        // The WAL size pragmas.sql sets for SQLite's autocheckpoint becomes the background checkpointer's
        // threshold; its commit hook replaces the autocheckpoint.
        let threshold = Int32(try database.scalar("PRAGMA wal_autocheckpoint")?.int ?? 1024)
        checkpointer = try WALCheckpointer(path: database.path, thresholdPages: max(1, threshold))
        checkpointer.attach(to: database)
        try SQLFunctions.register(on: database)
        stageListChange = try database.transaction {
            try database.execute(SchemaSQL.tables)
            if let version = try database.scalar("SELECT value FROM meta WHERE key = 'schema_version'")?.string,
               Int(version) != SchemaSQL.version {
                throw EntropyGuardError(.dataError, "\(path): store schema version \(version) is not \(SchemaSQL.version); remove the checkpoint directory or use another one")
            }
            let change = try recordStageList(ifDifferent: ifStagesDiffer)
            // Views hold no data: they are made again at every open, from this version's definitions.
            try StageSchemaSQL.dropStageViews(in: database)
            try database.execute(SchemaSQL.views)
            try database.execute(StageSchemaSQL.views(stages))
            return change
        }
        try setMeta("schema_version", String(SchemaSQL.version))
    }

    deinit {
        checkpointer.detach(from: database)
        checkpointer.stop()
    }

    // MARK: the store's files

    /// The store file and the files SQLite keeps next to it.
    static let fileSuffixes = ["", "-wal", "-shm"]

    /// `<directory>/entropyguard.sqlite`.
    public static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    public static func exists(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: path(in: directory))
    }

    /// Renames a damaged store (with its -wal and -shm, so the sqlite3 shell still opens it as it was)
    /// to `entropyguard.sqlite.damaged-<UTC time>` in the same directory and returns that name. Nothing
    /// is deleted: the next store starts empty, the damaged one stays for inspection until
    /// `checkpoints clean`. The caller holds the directory's StoreLock and no connection to the store.
    public static func moveAside(directory: String) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stamp = formatter.string(from: Date())
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var name = "\(fileName).damaged-\(stamp)"
        var attempt = 1
        while fileSuffixes.contains(where: { FileManager.default.fileExists(atPath: path(name + $0)) }) {
            attempt += 1
            name = "\(fileName).damaged-\(stamp)-\(attempt)"
        }
        for suffix in fileSuffixes where FileManager.default.fileExists(atPath: path(fileName + suffix)) {
            if rename(path(fileName + suffix), path(name + suffix)) != 0 {
                throw EntropyGuardError(.ioError, "\(path(fileName + suffix)) is damaged and cannot be moved aside: \(String(cString: strerror(errno)))")
            }
        }
        return name
    }

    /// The names `moveAside` gave damaged stores in `directory` (with their -wal and -shm).
    public static func setAsideFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(fileName + ".damaged-") }.sorted()
    }

    /// Runs `body` in one transaction: every operation in it is committed together, or none.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try database.transaction(body)
    }

    // MARK: stage list

    /// Compares the `stages` rows with the registry: records the list in a new store; resets a store
    /// made with another list (or refuses to open it).
    private func recordStageList(ifDifferent policy: OtherStageList) throws -> StageListChange? {
        let recorded = try database.rows("SELECT name FROM stages ORDER BY generation").map { $0[0].string ?? "" }
        if recorded == stages.names { return nil }
        let holdsData = try database.scalar("SELECT EXISTS (SELECT 1 FROM rows) OR EXISTS (SELECT 1 FROM checkpoints)")?.int == 1
        if !recorded.isEmpty || holdsData {
            if policy == .refuse {
                throw EntropyGuardError(.dataError, "\(path): made with other stages (\(recorded.joined(separator: ", "))) than this version's (\(stages.names.joined(separator: ", "))); a run with this version resets it")
            }
            try database.execute(Self.resetSQL)
            try database.execute("DELETE FROM stages")
        }
        try database.execute(StageSchemaSQL.stageRows(stages))
        return recorded.isEmpty && !holdsData ? nil : StageListChange(previous: recorded, current: stages.names, directory: directory)
    }

    // MARK: meta

    public func meta(_ key: String) throws -> String? {
        try database.scalar("SELECT value FROM meta WHERE key = ?", [.text(key)])?.string
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try database.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         [.text(key), .text(value)])
    }

    public func removeMeta(prefix: String) throws {
        try database.run("DELETE FROM meta WHERE key LIKE ? || '%'", [.text(prefix)])
    }

    // MARK: runs

    /// Records the start of an invocation; returns its run id.
    func startRun(arguments: String, inputPath: String, inputHash: String, at time: String) throws -> Int64 {
        try database.run("INSERT INTO runs (started_at, arguments, input_path, input_hash) VALUES (?, ?, ?, ?)",
                         [.text(time), .text(arguments), .text(inputPath), .text(inputHash)])
        return try database.scalar("SELECT last_insert_rowid()")?.int64 ?? 0
    }

    /// Records how an invocation ended (the counts and summary when it completed).
    func finishRun(_ runID: Int64, status: String, rowsIn: Int?, rowsOut: Int?, summary: String?, at time: String) throws {
        try database.run("""
            UPDATE runs SET finished_at = ?, status = ?, rows_in = ?, rows_out = ?, summary = ? WHERE run_id = ?
            """, [.text(time), .text(status), rowsIn.map { .integer(Int64($0)) } ?? .null,
                  rowsOut.map { .integer(Int64($0)) } ?? .null, summary.map { .text($0) } ?? .null, .integer(runID)])
    }

    // MARK: checkpoints

    public func checkpoints() throws -> [Checkpoint] {
        let statement = try database.cachedStatement("""
            SELECT c.generation, c.input_hash, c.config_hash, c.row_count, c.created_at, c.snapshot_path, c.snapshot_xxh3, c.dropped,
                   s.settings
            FROM checkpoints c LEFT JOIN checkpoint_settings s USING (generation) ORDER BY c.generation
            """)
        var result: [Checkpoint] = []
        while try statement.step() {
            guard let stage = stages.id(generation: statement.int(0)) else { continue }
            result.append(Checkpoint(stage: stage, inputHash: statement.string(1) ?? "", configHash: statement.string(2) ?? "",
                                     rowCount: statement.int(3), createdAt: statement.string(4) ?? "",
                                     snapshotPath: statement.string(5), snapshotXXH3: statement.string(6),
                                     dropped: Self.decodeCounts(statement.string(7)), settings: statement.string(8)))
        }
        return result
    }

    /// Records a completed stage (replacing an older checkpoint of the same stage).
    public func saveCheckpoint(_ checkpoint: Checkpoint) throws {
        try database.run("""
            INSERT OR REPLACE INTO checkpoints
                (generation, stage, input_hash, config_hash, row_count, created_at, snapshot_path, snapshot_xxh3, dropped)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(Int64(checkpoint.generation)), .text(checkpoint.stage.name), .text(checkpoint.inputHash),
                  .text(checkpoint.configHash), .integer(Int64(checkpoint.rowCount)), .text(checkpoint.createdAt),
                  checkpoint.snapshotPath.map { .text($0) } ?? .null, checkpoint.snapshotXXH3.map { .text($0) } ?? .null,
                  .text(Self.encodeCounts(checkpoint.dropped))])
        if let settings = checkpoint.settings {
            try database.run("INSERT OR REPLACE INTO checkpoint_settings (generation, settings) VALUES (?, ?)",
                             [.integer(Int64(checkpoint.generation)), .text(settings)])
        }
    }

    /// Commits completed stages in one transaction: moves every alive row to `stage`'s generation
    /// (nil: they are there already), gives the rows the values of the texts the text-rewriting stage
    /// wrote when it is among them, saves the checkpoints and clears the stage in progress.
    /// `appendFrom`: in an append, its first new row (only new rows are behind); `endingAppend`: the
    /// last stage of the append commits, so the append is over (`InputAppend`).
    func commit(_ checkpoints: [Checkpoint], advancingSurvivorsTo stage: StageID?, appendFrom: Int64? = nil,
                endingAppend: Bool = false) throws {
        try database.transaction {
            if let stage { try advanceSurvivors(to: stage, fromRow: appendFrom ?? 0) }
            if let rewriter = stages.textRewriter, checkpoints.contains(where: { $0.stage == rewriter }) {
                try applySanitizedValues(fromRow: appendFrom ?? 0)
            }
            for checkpoint in checkpoints { try saveCheckpoint(checkpoint) }
            try clearStageInProgress()
            if endingAppend { try removeMeta(prefix: InputAppend.metaPrefix) }
        }
    }

    /// Forgets the checkpoints before `generation` (the rows keep their generations).
    func forgetCheckpoints(before generation: Int) throws {
        try database.run("DELETE FROM checkpoints WHERE generation < ?", [.integer(Int64(generation))])
        try database.run("DELETE FROM checkpoint_settings WHERE generation < ?", [.integer(Int64(generation))])
    }

    /// {"reason": count, ...} with sorted keys.
    static func encodeCounts(_ counts: [String: Int]) -> String {
        "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    static func decodeCounts(_ text: String?) -> [String: Int] {
        guard let data = text?.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }

    // MARK: stage in progress

    /// The first stage that started but has no committed checkpoint yet: rows past the last checkpoint
    /// may hold its partial work, which resuming must rewind (unless it is the committed batches of a
    /// stage that continues after them, see BatchProgress). Nil when the store is exactly at a checkpoint.
    public func stageInProgress() throws -> Int? {
        try meta("stage.in_progress").flatMap(Int.init)
    }

    func markStageStarted(_ stage: StageID) throws {
        if try stageInProgress() == nil { try setMeta("stage.in_progress", String(stage.generation)) }
    }

    /// Also forgets the batch progress (BatchProgress): it is the stage in progress's partial work.
    func clearStageInProgress() throws {
        try database.run("DELETE FROM meta WHERE key = 'stage.in_progress'")
        try clearBatchProgress()
    }

    public func setSnapshot(stage: StageID, path: String?, xxh3: String?) throws {
        try database.run("UPDATE checkpoints SET snapshot_path = ?, snapshot_xxh3 = ? WHERE generation = ?",
                         [path.map { .text($0) } ?? .null, xxh3.map { .text($0) } ?? .null, .integer(Int64(stage.generation))])
    }

    // MARK: rewinding

    /// Makes the store look as it did right after generation `generation` completed: later stages'
    /// survivors move back, their drops are forgotten, rows they created are deleted, their checkpoints go.
    /// `fromRow`: only rows from this one on are rewound (an append in progress rewinds its new rows;
    /// the old rows keep every stage's decisions, see `InputAppend`).
    public func rewind(to generation: Int, fromRow: Int64 = 0) throws {
        try database.transaction { try rewindRows(to: generation, fromRow: fromRow) }
    }

    /// `rewind`'s statements, inside the caller's transaction.
    func rewindRows(to generation: Int, fromRow: Int64) throws {
        let g = SQLValue.integer(Int64(generation)), from = SQLValue.integer(fromRow)
        try database.run("UPDATE rows SET generation = ?1 WHERE generation > ?1 AND row_id >= ?2", [g, from])
        try database.run("""
            UPDATE rows SET dropped_by = NULL, drop_reason = NULL, drop_details = NULL, duplicate_of = NULL, similarity = NULL
            WHERE dropped_by > ?1 AND row_id >= ?2
            """, [g, from])
        try database.run("DELETE FROM row_content WHERE row_id IN (SELECT row_id FROM rows WHERE born > ?1 AND row_id >= ?2)", [g, from])
        try database.run("DELETE FROM rows WHERE born > ?1 AND row_id >= ?2", [g, from])
        if let rewriter = stages.textRewriter, generation < rewriter.generation {
            // Texts go back to the original: so do the values derived from them.
            try database.run("""
                UPDATE rows SET dedup_key = eg_dedup_key(c.text_original), text_length = eg_text_length(c.text_original)
                FROM row_content c WHERE c.row_id = rows.row_id AND c.text IS NOT NULL AND c.row_id >= ?1
                """, [from])
            try database.run("UPDATE row_content SET text = NULL WHERE text IS NOT NULL AND row_id >= ?1", [from])
            try database.run("""
                UPDATE rows SET (dedup_key, text_length) =
                    (SELECT eg_dedup_key(c.text_original), eg_text_length(c.text_original) FROM row_content c WHERE c.row_id = rows.row_id)
                WHERE row_id IN (SELECT row_id FROM sanitized_text WHERE row_id >= ?1)
                """, [from])
            try database.run("DELETE FROM sanitized_text WHERE row_id >= ?1", [from])
        }
        try database.run("DELETE FROM checkpoints WHERE generation > ?", [g])
        try database.run("DELETE FROM checkpoint_settings WHERE generation > ?", [g])
        try database.run("DELETE FROM near_misses WHERE generation > ?1 AND row_id >= ?2", [g, from])
        try clearStageInProgress()
    }

    /// Empties the store (rows, checkpoints, ingest progress). Embeddings stay: they are a cache keyed by
    /// model and text, valid for any input.
    public func reset() throws {
        try database.transaction {
            try database.execute(Self.resetSQL)
            try database.run("DELETE FROM append_lookups")   // the dedup stages' lookups (InputAppend)
        }
    }

    private static let resetSQL = """
        DELETE FROM rows; DELETE FROM row_content; DELETE FROM sanitized_text; DELETE FROM checkpoints; DELETE FROM checkpoint_settings; DELETE FROM near_misses;
        DELETE FROM meta WHERE key <> 'schema_version';
        """

    /// Rows alive after `stage`.
    public func aliveCount(after stage: StageID) throws -> Int {
        // born: chunk rows (born at chunk) were not alive after the stages before it.
        try database.scalar("SELECT count(*) FROM rows WHERE generation >= ?1 AND born <= ?1", [.integer(Int64(stage.generation))])?.int ?? 0
    }
}
